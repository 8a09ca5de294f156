#pragma once
// `finding`: what a rule concluded (docs/findings.md; trail/findings/finding.hpp writes it).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace jobtrail::event {

struct Finding {
  std::string id;        // rule id
  std::string severity;  // critical, high, medium, low
  std::string title;
  std::vector<std::uint64_t> exec_ids;
  std::optional<std::vector<std::uint64_t>> evidence;  // seq of the proving events
  bool operator==(const Finding&) const = default;
};

}  // namespace jobtrail::event
