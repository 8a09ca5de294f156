// host-namespace: a process running in one of the host's namespaces, as the sidecar marks it
// on process_exec (`host_ns: ["net", "pid", ...]`, docs/schema.md). One finding per distinct
// set of host namespaces (every process of a hostNetwork pod would otherwise repeat it).
#include <set>

#include "trail/findings/rule.hpp"
#include "trail/findings/rule_util.hpp"

namespace jobtrail::findings {
namespace {

class HostNamespace : public Rule {
 public:
  const char* id() const override { return "host-namespace"; }
  void on_event(const json& ev, const JobState&, const Config&, std::vector<Finding>& out) override {
    if (type_of(ev) != "process_exec") return;
    const json* list = nullptr;
    if (auto it = ev.find("host_ns"); it != ev.end() && it->is_array()) list = &*it;
    else if (auto& ns = family(ev, "namespaces"); ns.contains("host_ns") && ns["host_ns"].is_array()) list = &ns["host_ns"];
    if (!list || list->empty()) return;
    std::string kinds;
    for (auto& k : *list)
      if (k.is_string()) kinds += (kinds.empty() ? "" : "+") + k.get<std::string>();
    if (kinds.empty() || !seen_.insert(kinds).second) return;
    out.push_back(single(id(), high, "process in the host's namespaces (" + kinds + "): " + command_text(ev), ev));
  }

 private:
  std::set<std::string> seen_;  // at most 2^7 sets
};

}  // namespace

std::unique_ptr<Rule> make_host_namespace() { return std::make_unique<HostNamespace>(); }

}  // namespace jobtrail::findings
