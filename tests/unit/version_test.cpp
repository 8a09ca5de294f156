#include <doctest/doctest.h>

#include <algorithm>

#include "trail/version.hpp"

TEST_CASE("version is the project's semantic version") {
  const auto v = jobtrail::version();
  CHECK(v == JOBTRAIL_VERSION);
  CHECK(std::count(v.begin(), v.end(), '.') == 2);
}
