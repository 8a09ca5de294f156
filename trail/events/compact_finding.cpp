// Compact lines of the finding family (docs/findings.md):
//   ⚠️ finding ns/pod high pipe-to-shell: download piped into a shell: curl | sh (exec 2 3, evidence seq 1 2)
#include "trail/events/compact.hpp"
#include "trail/events/types.hpp"

namespace jobtrail::events {

namespace {
std::string numbers(const nlohmann::json& list) {
  std::string out;
  if (!list.is_array()) return out;
  for (auto& n : list)
    if (n.is_number_integer()) out += (out.empty() ? "" : " ") + n.dump();
  return out;
}
}  // namespace

std::string format_compact_finding(const nlohmann::json& event, const PodRef& pod) {
  if (text(event, "type") != events::type_name::finding) return {};
  const nlohmann::json& f = member(event, "finding");
  if (!f.is_object()) return {};
  std::string line = "⚠️ finding " + pod.text() + " " + text(f, "severity", "?") + " " + text(f, "id", "?") + ": " +
                     text(f, "title");
  const std::string execs = numbers(member(f, "exec_ids")), evidence = numbers(member(f, "evidence"));
  if (!execs.empty() || !evidence.empty()) {
    line += " (";
    if (!execs.empty()) line += "exec " + execs;
    if (!evidence.empty()) line += std::string(execs.empty() ? "" : ", ") + "evidence seq " + evidence;
    line += ")";
  }
  return line;
}

}  // namespace jobtrail::events
