#include "trail/events/types.hpp"
#include "trail/findings/finding.hpp"

namespace jobtrail::findings {

nlohmann::json to_event(const Finding& f, const nlohmann::json& cause) {
  nlohmann::json process = nlohmann::json::object();
  if (auto it = cause.find("process"); it != cause.end() && it->is_object())
    for (const char* k : {"pid", "exec_id", "parent_exec_id", "binary", "args", "args_truncated"})
      if (it->contains(k)) process[k] = (*it)[k];
  nlohmann::json ev = {{"type", events::type_name::finding},
                       {"process", process},
                       {"finding",
                        {{"id", f.id}, {"severity", f.severity}, {"title", f.title}, {"exec_ids", f.exec_ids},
                         {"evidence", f.evidence}}}};
  if (auto t = cause.find("time"); t != cause.end()) ev["time"] = *t;
  return ev;
}

}  // namespace jobtrail::findings
