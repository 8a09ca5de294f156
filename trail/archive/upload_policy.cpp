#include "trail/archive/upload_policy.hpp"

#include <algorithm>
#include <string_view>

namespace jobtrail::archive {

FailureKind classify_failure(const std::string& code, bool retryable) {
  static constexpr std::string_view conflicts[] = {"Conflict", "OperationAborted", "ConditionalRequestConflict"};
  if (retryable || std::find(std::begin(conflicts), std::end(conflicts), code) != std::end(conflicts))
    return FailureKind::transient;
  return FailureKind::refused;
}

bool should_give_up(const FailureHistory& h, const UploadPolicy& p) {
  if (h.last == FailureKind::refused && h.refused_in_a_row >= std::max(1u, p.refused_attempts)) return true;
  return h.others_stored_since && h.failing_for >= p.give_up_after;
}

}  // namespace jobtrail::archive
