// Compact lines of the finding family (docs/findings.md):
//   ⚠️ finding ns/pod high pipe-to-shell: download piped into a shell: curl | sh (exec 2 3, evidence seq 1 2)
#include "trail/events/compact.hpp"

namespace jobtrail::events {

namespace {
std::string numbers(const nlohmann::json& list) {
  std::string out;
  if (!list.is_array()) return out;
  for (auto& n : list)
    if (n.is_number_integer()) out += (out.empty() ? "" : " ") + n.dump();
  return out;
}
std::string one_line(std::string s) {
  for (auto& c : s)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  return s;
}
}  // namespace

std::string format_compact_finding(const nlohmann::json& event, const PodRef& pod) {
  if (event.value("type", std::string()) != "finding") return {};
  const nlohmann::json f = event.value("finding", nlohmann::json::object());
  if (!f.is_object()) return {};
  std::string line = "⚠️ finding " + pod.text() + " " + f.value("severity", std::string("?")) + " " +
                     f.value("id", std::string("?")) + ": " + one_line(f.value("title", std::string()));
  const std::string execs = numbers(f.value("exec_ids", nlohmann::json())),
                    evidence = numbers(f.value("evidence", nlohmann::json()));
  if (!execs.empty() || !evidence.empty()) {
    line += " (";
    if (!execs.empty()) line += "exec " + execs;
    if (!evidence.empty()) line += std::string(execs.empty() ? "" : ", ") + "evidence seq " + evidence;
    line += ")";
  }
  return line;
}

}  // namespace jobtrail::events
