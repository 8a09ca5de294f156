// release-agent-write: writing a cgroup v1 `release_agent` (or enabling notify_on_release
// next to it): the classic container escape that makes the host run a program as root.
#include "trail/findings/rule.hpp"
#include "trail/findings/rule_util.hpp"

namespace jobtrail::findings {
namespace {

class ReleaseAgentWrite : public Rule {
 public:
  const char* id() const override { return "release-agent-write"; }
  void on_event(const json& ev, const JobState&, const Config&, std::vector<Finding>& out) override {
    if (type_of(ev).rfind("file_", 0) != 0 || !file_written(ev)) return;
    const std::string p = file_path(ev), name = basename_of(p);
    if (name != "release_agent") return;
    out.push_back(single(id(), critical, "cgroup release_agent written: " + p + " by " + command_text(ev) +
                                             failed_suffix(family(ev, "file")), ev));
  }
};

}  // namespace

std::unique_ptr<Rule> make_release_agent_write() { return std::make_unique<ReleaseAgentWrite>(); }

}  // namespace jobtrail::findings
