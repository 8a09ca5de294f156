// bpf-use: the bpf() syscall from the job (priv event): loading programs into the host kernel,
// reading kernel memory, or tampering with tracers. One finding per exec.
#include <unordered_set>

#include "trail/findings/rule.hpp"
#include "trail/findings/rule_util.hpp"

namespace jobtrail::findings {
namespace {

class BpfUse : public Rule {
 public:
  const char* id() const override { return "bpf-use"; }
  void on_event(const json& ev, const JobState&, const Config& cfg, std::vector<Finding>& out) override {
    if (priv_syscall(ev) != "bpf") return;
    if (!flagged_.insert(exec_id_of(ev)).second) return;
    if (flagged_.size() > cfg.max_tracked) flagged_.clear();
    std::string cmd = str_at(priv_args(ev), "cmd");
    out.push_back(single(id(), high, "bpf() used" + (cmd.empty() ? "" : " (" + cmd + ")") + " by " + command_text(ev) +
                                         failed_suffix(family(ev, "priv")), ev));
  }

 private:
  std::unordered_set<std::uint64_t> flagged_;
};

}  // namespace

std::unique_ptr<Rule> make_bpf_use() { return std::make_unique<BpfUse>(); }

}  // namespace jobtrail::findings
