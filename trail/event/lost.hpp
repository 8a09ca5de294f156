#pragma once
// `lost`: events the trail does not hold, counted (docs/schema.md, "lost"; names in
// trail/events/types.hpp, lost_type).
#include <cstdint>
#include <optional>
#include <string>

namespace jobtrail::event {

struct Lost {
  std::string lost_type;
  std::uint64_t count = 0;
  // upload_given_up
  std::optional<std::string> object, error;
  std::optional<std::uint64_t> attempts;
  bool operator==(const Lost&) const = default;
};

}  // namespace jobtrail::event
