// Compact lines of the process family (seed post style).
#include <string>

#include "trail/events/compact.hpp"

namespace jobtrail::events {

std::string format_compact_process(const nlohmann::json& event, const PodRef& pod) {
  const std::string type = text(event, "type");
  if (type == "process_exec") return "🚀 process " + pod.text() + " " + process_text(event);
  if (type == "process_exit") {
    const auto& ex = member(event, "exit");
    std::string status;
    if (!member(ex, "signal").is_null())
      status = "SIG" + text(ex, "signal_name", text(ex, "signal", "?"));
    else
      status = text(ex, "code", "0");
    return "💥 exit    " + pod.text() + " " + process_text(event) + " " + status;
  }
  if (type == "lost")
    return "❗ lost    " + pod.text() + " " + text(event, "count", "0") + " " + text(event, "lost_type", "?") + " events";
  if (type == "family_missing")
    return "⚠️ missing " + pod.text() + " " + text(event, "family", "?") + " family not traced: " + text(event, "reason", "?");
  if (type == "job_identity") {
    const auto& id = member(event, "job");
    std::string what = flag(event, "mismatch") ? "🪪 identity mismatch " : "🪪 job     ";
    return what + pod.text() + " " + text(id, "GITHUB_REPOSITORY", "?") + " run " + text(id, "GITHUB_RUN_ID", "?") +
           " job " + text(id, "GITHUB_JOB", "?");
  }
  return {};
}

}  // namespace jobtrail::events
