// Compact lines of the process family (seed post style).
#include <string>

#include "trail/events/compact.hpp"

namespace jobtrail::events {

std::string format_compact_process(const nlohmann::json& event, const PodRef& pod) {
  const std::string type = event.value("type", std::string());
  if (type == "process_exec") return "🚀 process " + pod.text() + " " + process_text(event);
  if (type == "process_exit") {
    const auto& ex = event.value("exit", nlohmann::json::object());
    std::string status;
    if (ex.contains("signal") && !ex["signal"].is_null())
      status = "SIG" + ex.value("signal_name", std::to_string(ex.value("signal", 0)));
    else
      status = std::to_string(ex.value("code", 0));
    return "💥 exit    " + pod.text() + " " + process_text(event) + " " + status;
  }
  if (type == "lost")
    return "❗ lost    " + pod.text() + " " + std::to_string(event.value("count", std::uint64_t{0})) + " " +
           event.value("lost_type", std::string("?")) + " events";
  if (type == "family_missing")
    return "⚠️ missing " + pod.text() + " " + event.value("family", std::string("?")) + " family not traced: " +
           event.value("reason", std::string("?"));
  if (type == "job_identity") {
    const auto& id = event.value("job", nlohmann::json::object());
    std::string what = event.value("mismatch", false) ? "🪪 identity mismatch " : "🪪 job     ";
    return what + pod.text() + " " + id.value("GITHUB_REPOSITORY", std::string("?")) + " run " +
           id.value("GITHUB_RUN_ID", std::string("?")) + " job " + id.value("GITHUB_JOB", std::string("?"));
  }
  return {};
}

}  // namespace jobtrail::events
