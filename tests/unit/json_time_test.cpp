// RFC 3339 event times: the date part is reused within a second, so calls that cross seconds,
// days and 1970 must still each give their own exact text.
#include <doctest/doctest.h>

#include "trail/events/json_time.hpp"

using jobtrail::events::rfc3339_ns;

TEST_CASE("rfc3339_ns gives nanoseconds and the right second across second, day and epoch changes") {
  CHECK(rfc3339_ns(1764374341123456789) == "2025-11-28T23:59:01.123456789Z");
  CHECK(rfc3339_ns(1764374341000000007) == "2025-11-28T23:59:01.000000007Z");  // same second, new fraction
  CHECK(rfc3339_ns(1764374342000000000) == "2025-11-28T23:59:02.000000000Z");
  CHECK(rfc3339_ns(1764374399999999999) == "2025-11-28T23:59:59.999999999Z");
  CHECK(rfc3339_ns(1764374400000000000) == "2025-11-29T00:00:00.000000000Z");  // next day
  CHECK(rfc3339_ns(1764374341123456789) == "2025-11-28T23:59:01.123456789Z");  // back again
  CHECK(rfc3339_ns(0) == "1970-01-01T00:00:00.000000000Z");
  CHECK(rfc3339_ns(-1) == "1969-12-31T23:59:59.999999999Z");
  CHECK(rfc3339_ns(0) == "1970-01-01T00:00:00.000000000Z");
}
