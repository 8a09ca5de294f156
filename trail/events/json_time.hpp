#pragma once
// RFC 3339 UTC timestamps with nanoseconds, the `time` of every event.
#include <cstdint>
#include <string>

namespace jobtrail::events {
// 1764374341123456789 -> "2025-11-28T23:59:01.123456789Z"
std::string rfc3339_ns(std::int64_t unix_ns);
// Now, in ns since the Unix epoch.
std::int64_t realtime_now_ns();
// Add to a bpf_ktime_get_ns() (CLOCK_MONOTONIC) value to get Unix ns; taken once per run.
std::int64_t monotonic_to_realtime_offset_ns();
}  // namespace jobtrail::events
