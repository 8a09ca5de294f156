// namespace-enter: joining another namespace: setns(2) (priv event) or the nsenter command
// (`nsenter -t 1 -m -u -i -n -p`, the classic way out of a privileged container).
#include <unordered_set>

#include "trail/events/types.hpp"
#include "trail/findings/rule.hpp"
#include "trail/findings/rule_util.hpp"

namespace jobtrail::findings {
namespace {

class NamespaceEnter : public OncePerExecRule {
 public:
  const char* id() const override { return "namespace-enter"; }
 private:
  void check(const json& ev, std::vector<Finding>& out) override {
    if (priv_syscall(ev) == "setns") {
      const auto& a = priv_args(ev);
      std::string ns = str_at(a, "nstype");
      if (auto it = a.find("namespaces"); it != a.end() && it->is_array())  // priv_decode: ["mnt", "net"]
        for (auto& k : *it)
          if (k.is_string()) ns += (ns.empty() ? "" : "+") + k.get<std::string>();
      out.push_back(single(id(), high, "setns into another namespace" + (ns.empty() ? "" : " (" + ns + ")") + " by " +
                                           command_text(ev) + failed_suffix(family(ev, "priv")), ev));
    } else if (type_of(ev) == events::type_name::process_exec && is_program(ev, {"nsenter"})) {
      out.push_back(single(id(), high, "nsenter into another namespace: " + command_text(ev), ev));
    }
  }
};

}  // namespace

std::unique_ptr<Rule> make_namespace_enter() { return std::make_unique<NamespaceEnter>(); }

}  // namespace jobtrail::findings
