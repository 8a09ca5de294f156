#pragma once
// One finding: what a rule concluded, and the events that prove it. A finding becomes a
// `finding` event in the trail (docs/findings.md): the cause's process, plus
//   finding{id, severity, title, exec_ids[], evidence[] (seq numbers of the proving events)}.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace jobtrail::findings {

// Ordered: critical > high > medium > low.
inline constexpr const char* critical = "critical";
inline constexpr const char* high = "high";
inline constexpr const char* medium = "medium";
inline constexpr const char* low = "low";

struct Finding {
  std::string id;        // rule id, e.g. "pipe-to-shell"
  std::string severity;  // one of the constants above
  std::string title;     // one line
  std::vector<std::uint64_t> exec_ids;
  std::vector<std::uint64_t> evidence;  // seq of the events that prove it, in trail order
};

// The `finding` event for `f`, caused by `cause` (the event that completed the proof):
// its time and process identity are copied so `show --exec-id` and the summary find it.
nlohmann::json to_event(const Finding& f, const nlohmann::json& cause);

}  // namespace jobtrail::findings
