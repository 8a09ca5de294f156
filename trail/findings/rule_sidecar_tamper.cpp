// sidecar-tamper: the job signals, ptraces, reads/writes the memory of, or opens /proc/<pid>/mem
// or environ (its storage credentials) of the sidecar that records it. A pod with
// shareProcessNamespace: true shows the sidecar's processes to the job; a job that can stop or
// inspect its recorder can end or edit its own trail. The kernel decides that the target is the
// sidecar (args.target: "sidecar", bpf/lib/sidecar_self.bpf.h), by the target task or by the pid
// number in the caller's own namespace, so a pid the job chose cannot fake it. Critical whatever
// the outcome: a signal the sidecar survives, or a failed attach, is still an attack on the trail.
// One finding per exec and act (each signal number, ptrace whatever the request, each of
// process_vm_readv/writev and the two opens): a loop of kill() is one finding.
#include <set>
#include <string>
#include <utility>

#include "trail/findings/rule.hpp"
#include "trail/findings/rule_util.hpp"

namespace jobtrail::findings {
namespace {

// (what it did, for the title; the act, for once-per-exec) of a priv event aimed at the sidecar
std::pair<std::string, std::string> act_of(const std::string& sys, const json& args) {
  if (sys == "signal") return {"sent " + str_at(args, "signal") + " to", "signal " + str_at(args, "signal")};
  if (sys == "ptrace") return {"used ptrace (" + str_at(args, "request") + ") on", sys};
  if (sys == "process_vm_readv") return {"read the memory (process_vm_readv) of", sys};
  if (sys == "process_vm_writev") return {"wrote the memory (process_vm_writev) of", sys};
  const std::string path = str_at(args, "proc_path");
  if (sys == "open_proc_mem") return {"opened the memory (" + (path.empty() ? "/proc/.../mem" : path) + ") of", sys};
  if (sys == "open_proc_environ")
    return {"opened the environment (" + (path.empty() ? "/proc/.../environ" : path) + ") of", sys};
  return {};
}

class SidecarTamper : public Rule {
 public:
  const char* id() const override { return "sidecar-tamper"; }
  void on_event(const json& ev, const JobState&, const Config& cfg, std::vector<Finding>& out) override {
    const std::string sys = priv_syscall(ev);
    if (sys.empty()) return;
    const json& args = priv_args(ev);
    if (str_at(args, "target") != "sidecar") return;
    const auto [what, act] = act_of(sys, args);
    if (act.empty()) return;
    if (!done_.emplace(exec_id_of(ev), act).second) return;
    if (done_.size() > cfg.max_tracked) done_.clear();
    out.push_back(single(id(), critical,
                         "the job " + what + " the jobtrail sidecar: " + command_text(ev) + failed_suffix(family(ev, "priv")),
                         ev));
  }

 private:
  std::set<std::pair<std::uint64_t, std::string>> done_;  // (exec_id, act) already reported
};

}  // namespace

std::unique_ptr<Rule> make_sidecar_tamper() { return std::make_unique<SidecarTamper>(); }

}  // namespace jobtrail::findings
