#pragma once
#include <string>

namespace jobtrail::archive {
// Current wall-clock time, RFC 3339 UTC with nanoseconds ("2026-11-28T23:59:01.123456789Z").
std::string now_rfc3339();
}  // namespace jobtrail::archive
