// host-namespace: a process in one of the host's namespaces.
// - process_exec marked by the sidecar (`host_ns: ["net", "pid", ...]`, docs/schema.md): one
//   finding per distinct set of host namespaces (every process of a hostNetwork pod would
//   otherwise repeat it); high.
// - setns(2) into a namespace the kernel found to be the host's (`priv.args.host_ns: true`,
//   the initial namespaces compared by inode in bpf/lib/host_ns.bpf.h): the way out of a
//   privileged pod (`nsenter -t 1 -m -u -i -n -p -- sh` with hostPID, setns on /proc/1/ns/*);
//   critical, attempts included, one finding per exec (nsenter makes one setns per kind).
#include <set>
#include <unordered_set>

#include "trail/events/types.hpp"
#include "trail/findings/rule.hpp"
#include "trail/findings/rule_util.hpp"

namespace jobtrail::findings {
namespace {

class HostNamespace : public Rule {
 public:
  const char* id() const override { return "host-namespace"; }
  void on_event(const json& ev, const JobState&, const Config& cfg, std::vector<Finding>& out) override {
    if (priv_syscall(ev) == "setns") return on_setns(ev, cfg, out);
    if (type_of(ev) != events::type_name::process_exec) return;
    const json* list = nullptr;
    if (auto it = ev.find("host_ns"); it != ev.end() && it->is_array()) list = &*it;
    else if (auto& ns = family(ev, "namespaces"); ns.contains("host_ns") && ns["host_ns"].is_array()) list = &ns["host_ns"];
    if (!list || list->empty()) return;
    std::string kinds = joined(*list);
    if (kinds.empty() || !seen_.insert(kinds).second) return;
    out.push_back(single(id(), high, "process in the host's namespaces (" + kinds + "): " + command_text(ev), ev));
  }

 private:
  static std::string joined(const json& list) {
    std::string kinds;
    for (auto& k : list)
      if (k.is_string()) kinds += (kinds.empty() ? "" : "+") + k.get<std::string>();
    return kinds;
  }

  void on_setns(const json& ev, const Config& cfg, std::vector<Finding>& out) {
    const auto& a = priv_args(ev);
    auto it = a.find("host_ns");
    if (it == a.end() || !it->is_boolean() || !it->get<bool>()) return;
    if (!setns_execs_.insert(exec_id_of(ev)).second) return;
    if (setns_execs_.size() > cfg.max_tracked) setns_execs_ = {exec_id_of(ev)};
    std::string kinds;
    if (auto k = a.find("host_namespaces"); k != a.end() && k->is_array()) kinds = joined(*k);
    out.push_back(single(id(), critical,
                         "setns into the host's " + (kinds.empty() ? std::string() : kinds + " ") + "namespace by " +
                             command_text(ev) + failed_suffix(family(ev, "priv")),
                         ev));
  }

  std::set<std::string> seen_;                   // at most 2^7 sets
  std::unordered_set<std::uint64_t> setns_execs_;  // execs already reported for setns
};

}  // namespace

std::unique_ptr<Rule> make_host_namespace() { return std::make_unique<HostNamespace>(); }

}  // namespace jobtrail::findings
