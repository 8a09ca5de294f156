// The reorder buffer of the live stream and `jobtrail show`: time order within the hold time, bounded, nothing lost.
#include <doctest/doctest.h>

#include <string>

#include "trail/events/time_reorder.hpp"

using jobtrail::events::TimeReorder;
using jobtrail::events::event_time_ns;

namespace {
constexpr std::int64_t ms = 1'000'000;
std::string line(int n) { return "L" + std::to_string(n) + "\n"; }
}  // namespace

TEST_CASE("reorder: lines from different rings come out in event-time order after the hold time") {
  TimeReorder r({.hold_ns = 200 * ms, .max_lines = 100, .max_bytes = 1 << 20});
  std::string out;
  // The process ring is read first: exec at 10, exit at 50; the net ring later: connect at 30.
  r.add(10 * ms, 60 * ms, line(10), out);
  r.add(50 * ms, 60 * ms, line(50), out);
  r.add(30 * ms, 90 * ms, line(30), out);
  CHECK(out.empty());
  r.release(200 * ms, out);  // nothing is 200 ms old yet
  CHECK(out.empty());
  r.release(235 * ms, out);  // 10 and 30 are due, 50 not yet
  CHECK(out == "L10\nL30\n");
  r.release(250 * ms, out);
  CHECK(out == "L10\nL30\nL50\n");
  CHECK(r.held_lines() == 0);
  CHECK(r.held_bytes() == 0);
  CHECK(r.out_of_order() == 0);
  CHECK(r.released_early() == 0);
}

TEST_CASE("reorder: equal times keep their arrival order; flush writes everything held") {
  TimeReorder r({.hold_ns = 200 * ms, .max_lines = 100, .max_bytes = 1 << 20});
  std::string out;
  for (int i = 0; i < 5; ++i) r.add(7 * ms, 8 * ms, line(i), out);
  r.add(3 * ms, 8 * ms, line(9), out);
  r.flush(out);
  CHECK(out == "L9\nL0\nL1\nL2\nL3\nL4\n");
  CHECK(r.held_lines() == 0);
}

TEST_CASE("reorder: a full buffer writes its oldest line early, drops nothing, counts what is out of order") {
  TimeReorder r({.hold_ns = 200 * ms, .max_lines = 3, .max_bytes = 1 << 20});
  std::string out;
  r.add(40 * ms, 50 * ms, line(40), out);
  r.add(30 * ms, 50 * ms, line(30), out);
  r.add(20 * ms, 50 * ms, line(20), out);
  CHECK(out.empty());
  r.add(50 * ms, 50 * ms, line(50), out);  // fourth line: the oldest (20) goes now
  CHECK(out == "L20\n");
  CHECK(r.released_early() == 1);
  CHECK(r.held_lines() == 3);
  r.add(10 * ms, 50 * ms, line(10), out);  // older than what was written: goes at once, counted
  CHECK(out == "L20\nL10\n");
  CHECK(r.released_early() == 2);
  CHECK(r.out_of_order() == 1);
  r.flush(out);
  CHECK(out == "L20\nL10\nL30\nL40\nL50\n");
  CHECK(r.out_of_order() == 1);
}

TEST_CASE("reorder: the byte bound holds under a storm of long lines") {
  TimeReorder r({.hold_ns = 200 * ms, .max_lines = 1'000'000, .max_bytes = 64 * 1024});
  std::string out;
  const std::string big(4000, 'x');
  std::size_t most = 0;
  for (int i = 0; i < 10'000; ++i) {
    r.add(std::int64_t{i}, 1 * ms, big + "\n", out);
    most = std::max(most, r.held_bytes());
  }
  CHECK(most <= 64 * 1024);
  r.flush(out);
  CHECK(out.size() == 10'000 * (big.size() + 1));  // every line, none lost
  CHECK(r.out_of_order() == 0);                    // they came in order: early, but not out of order
  CHECK(r.released_early() > 9'000);
}

TEST_CASE("reorder: an event time in the future or missing waits no longer than the hold time") {
  TimeReorder r({.hold_ns = 200 * ms, .max_lines = 100, .max_bytes = 1 << 20});
  std::string out;
  r.add(std::int64_t{1} << 62, 100 * ms, line(1), out);  // a far-future time
  r.add(std::nullopt, 100 * ms, line(2), out);
  r.release(299 * ms, out);
  CHECK(out.empty());
  r.release(300 * ms, out);
  CHECK(out == "L1\nL2\n");
  // A clock at the bottom of the 64-bit range: nothing is due, nothing overflows.
  r.add(INT64_MIN, INT64_MIN, line(3), out);
  r.release(INT64_MIN + 5, out);
  CHECK(out == "L1\nL2\n");
  r.flush(out);
  CHECK(out == "L1\nL2\nL3\n");
}

TEST_CASE("reorder: the time of an event is read from its RFC 3339 `time`, tolerantly") {
  CHECK(event_time_ns({{"time", "1970-01-01T00:00:01.5Z"}}) == 1'500'000'000);
  CHECK_FALSE(event_time_ns({{"time", 12}}).has_value());
  CHECK_FALSE(event_time_ns({{"time", "yesterday"}}).has_value());
  CHECK_FALSE(event_time_ns(nlohmann::json::array()).has_value());
  CHECK_FALSE(event_time_ns({{"type", "lost"}}).has_value());
}
