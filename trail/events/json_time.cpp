#include "trail/events/json_time.hpp"

#include <time.h>

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace jobtrail::events {

std::string rfc3339_ns(std::int64_t unix_ns) {
  std::int64_t secs = unix_ns / 1'000'000'000;
  std::int64_t frac = unix_ns % 1'000'000'000;
  if (frac < 0) {  // before 1970: floor, keep the fraction positive
    frac += 1'000'000'000;
    secs -= 1;
  }
  // Every event is stamped: the date and time of day are formatted once per second (per thread),
  // only the nanoseconds per call.
  thread_local std::int64_t cached_secs = 0;
  thread_local bool cached = false;
  thread_local char prefix[40];
  thread_local std::size_t prefix_len = 0;
  if (!cached || secs != cached_secs) {
    std::time_t t = static_cast<std::time_t>(secs);
    std::tm tm{};
    gmtime_r(&t, &tm);
    const int n = std::snprintf(prefix, sizeof prefix, "%04d-%02d-%02dT%02d:%02d:%02d.", tm.tm_year + 1900,
                                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    prefix_len = n < 0 ? 0 : std::min(static_cast<std::size_t>(n), sizeof prefix - 1);
    cached_secs = secs;
    cached = true;
  }
  std::string out(prefix, prefix_len);
  char digits[10];
  for (int i = 8; i >= 0; --i, frac /= 10) digits[i] = static_cast<char>('0' + frac % 10);
  digits[9] = 'Z';
  out.append(digits, sizeof digits);
  return out;
}

namespace {
std::int64_t clock_ns(clockid_t id) {
  timespec ts{};
  clock_gettime(id, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}
}  // namespace

std::int64_t realtime_now_ns() { return clock_ns(CLOCK_REALTIME); }

std::int64_t monotonic_to_realtime_offset_ns() { return clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC); }

}  // namespace jobtrail::events
