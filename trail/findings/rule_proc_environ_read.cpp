// proc-environ-read: reading /proc/<pid>/environ of another process (its secrets: tokens in
// the environment). Critical when the target is Runner.Worker. Reading one's own environ
// (/proc/self/environ) is not flagged.
#include "trail/findings/proc_target.hpp"
#include "trail/findings/rule.hpp"
#include "trail/findings/rule_util.hpp"

namespace jobtrail::findings {
namespace {

class ProcEnvironRead : public Rule {
 public:
  const char* id() const override { return "proc-environ-read"; }
  void on_event(const json& ev, const JobState& st, const Config&, std::vector<Finding>& out) override {
    const std::string type = type_of(ev);
    if (type.rfind("file_", 0) != 0 && priv_syscall(ev).empty()) return;
    auto t = parse_proc_path(file_path(ev));
    if (!t || t->file != "environ" || is_same_process(ev, t->pid, st)) return;
    bool runner = false;
    std::string who = target_text(t->pid, st, &runner);
    out.push_back(single(id(), runner ? critical : high,
                         "environment of another process read: /proc/" + std::to_string(t->pid) + "/environ of " + who +
                             " by " + command_text(ev) + failed_suffix(family(ev, "file")),
                         ev));
  }
};

}  // namespace

std::unique_ptr<Rule> make_proc_environ_read() { return std::make_unique<ProcEnvironRead>(); }

}  // namespace jobtrail::findings
