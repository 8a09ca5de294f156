#pragma once
// The event filter of `jobtrail show`, a pure streaming predicate: events are tested in trail
// order, so descendants of --exec-id are known by the time their events arrive.
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <nlohmann/json.hpp>

#include "trail/events/stream_scope.hpp"

namespace jobtrail::cli {

class ShowFilter {
 public:
  std::vector<std::string> types;     // exact type or family prefix ("net" matches net_*)
  std::vector<std::string> binaries;  // full path or base name
  std::set<std::int64_t> pids;
  std::set<std::string> exec_roots;   // these exec ids and every descendant
  std::optional<std::int64_t> since_ns, until_ns;
  std::string grep;                   // substring of the raw line
  events::StreamScope scope = events::StreamScope::all;

  // `line` is the event's JSON text as stored (for --grep).
  bool match(const nlohmann::json& event, std::string_view line);

 private:
  std::unordered_set<std::string> included_;
};

}  // namespace jobtrail::cli
