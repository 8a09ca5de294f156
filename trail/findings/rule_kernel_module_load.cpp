// kernel-module-load: init_module/finit_module (priv event) or insmod/modprobe (not -r):
// code into the host kernel.
#include <unordered_set>

#include "trail/events/types.hpp"
#include "trail/findings/rule.hpp"
#include "trail/findings/rule_util.hpp"

namespace jobtrail::findings {
namespace {

class KernelModuleLoad : public OncePerExecRule {
 public:
  const char* id() const override { return "kernel-module-load"; }
 private:
  void check(const json& ev, std::vector<Finding>& out) override {
    const std::string sys = priv_syscall(ev);
    if (sys == "init_module" || sys == "finit_module") {
      std::string what = str_at(priv_args(ev), "name");
      if (what.empty()) what = str_at(priv_args(ev), "path");
      out.push_back(single(id(), critical, "kernel module load (" + sys + (what.empty() ? "" : " " + what) + ") by " +
                                               command_text(ev) + failed_suffix(family(ev, "priv")), ev));
      return;
    }
    if (type_of(ev) != events::type_name::process_exec || !is_program(ev, {"insmod", "modprobe"})) return;
    auto args = args_of(ev);
    for (std::size_t i = 1; i < args.size(); ++i)
      if (args[i] == "-r" || args[i] == "--remove" || args[i] == "-n" || args[i] == "--dry-run" || args[i] == "-c" ||
          args[i] == "--showconfig" || args[i] == "--show-depends" || args[i] == "-D")
        return;
    if (args.size() < 2) return;
    out.push_back(single(id(), critical, "kernel module load attempted: " + command_text(ev), ev));
  }
};

}  // namespace

std::unique_ptr<Rule> make_kernel_module_load() { return std::make_unique<KernelModuleLoad>(); }

}  // namespace jobtrail::findings
