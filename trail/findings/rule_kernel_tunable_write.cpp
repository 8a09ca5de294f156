// kernel-tunable-write: opening for write a file under /proc/sys or /sys (kernel settings,
// devices), from file events. /sys/fs/cgroup is left out (docker-in-docker and systemd write
// there as a matter of course); release_agent has its own rule.
#include "trail/findings/rule.hpp"
#include "trail/findings/rule_util.hpp"

namespace jobtrail::findings {
namespace {

class KernelTunableWrite : public Rule {
 public:
  const char* id() const override { return "kernel-tunable-write"; }
  void on_event(const json& ev, const JobState&, const Config&, std::vector<Finding>& out) override {
    if (type_of(ev).rfind("file_", 0) != 0 || !file_written(ev)) return;
    const std::string p = file_path(ev);
    if (p.rfind("/proc/sys/", 0) != 0 && p.rfind("/sys/", 0) != 0) return;
    if (p.rfind("/sys/fs/cgroup/", 0) == 0) return;
    out.push_back(single(id(), high, "kernel setting written: " + p + " by " + command_text(ev) + failed_suffix(family(ev, "file")), ev));
  }
};

}  // namespace

std::unique_ptr<Rule> make_kernel_tunable_write() { return std::make_unique<KernelTunableWrite>(); }

}  // namespace jobtrail::findings
