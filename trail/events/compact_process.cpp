// Compact lines of the process family (seed post style).
#include <string>

#include "trail/events/compact.hpp"
#include "trail/events/types.hpp"

namespace jobtrail::events {

std::string format_compact_process(const nlohmann::json& event, const PodRef& pod) {
  const std::string type = text(event, "type");
  if (type == events::type_name::process_exec) return "🚀 process " + pod.text() + " " + process_text(event);
  if (type == events::type_name::process_exit) {
    const auto& ex = member(event, "exit");
    std::string status;
    if (!member(ex, "signal").is_null())
      status = "SIG" + text(ex, "signal_name", text(ex, "signal", "?"));
    else
      status = text(ex, "code", "0");
    return "💥 exit    " + pod.text() + " " + process_text(event) + " " + status;
  }
  if (type == events::type_name::lost)
    return "❗ lost    " + pod.text() + " " + text(event, "count", "0") + " " + text(event, "lost_type", "?") + " events";
  if (type == events::type_name::family_missing)
    return "⚠️ missing " + pod.text() + " " + text(event, "family", "?") + " family not traced: " + text(event, "reason", "?");
  if (type == events::type_name::job_identity) {
    const auto& id = member(event, "job");
    std::string what = flag(event, "mismatch") ? "🪪 identity mismatch " : "🪪 job     ";
    return what + pod.text() + " " + text(id, job_var::repository, "?") + " run " + text(id, job_var::run_id, "?") +
           " job " + text(id, job_var::job, "?");
  }
  return {};
}

}  // namespace jobtrail::events
