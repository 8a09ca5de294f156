// Checked number parsing of text the traced job writes (/proc paths, archive fields).
#include <doctest/doctest.h>

#include "trail/events/number_text.hpp"
#include "trail/events/priv_decode.hpp"
#include "trail/findings/proc_target.hpp"

using namespace jobtrail;

TEST_CASE("parse_decimal accepts only whole decimal numbers that fit") {
  CHECK(events::parse_decimal<std::uint32_t>("0") == 0u);
  CHECK(events::parse_decimal<std::uint32_t>("4294967295") == 4294967295u);
  CHECK_FALSE(events::parse_decimal<std::uint32_t>("4294967296"));
  CHECK_FALSE(events::parse_decimal<std::uint32_t>("99999999999999999999"));
  CHECK_FALSE(events::parse_decimal<std::uint64_t>("99999999999999999999"));
  CHECK_FALSE(events::parse_decimal<std::int64_t>("-1"));
  CHECK_FALSE(events::parse_decimal<std::int64_t>("+1"));
  CHECK_FALSE(events::parse_decimal<std::uint32_t>("0x10"));
  CHECK_FALSE(events::parse_decimal<std::uint32_t>(" 1"));
  CHECK_FALSE(events::parse_decimal<std::uint32_t>("1 "));
  CHECK_FALSE(events::parse_decimal<std::uint32_t>(""));
  CHECK_FALSE(events::parse_decimal<std::uint32_t>(std::string(4000, '1')));
}

TEST_CASE("parse_signed_decimal covers the whole int64 range and nothing past it") {
  CHECK(events::parse_signed_decimal("-1") == -1);
  CHECK(events::parse_signed_decimal("42") == 42);
  CHECK(events::parse_signed_decimal("-9223372036854775808") == INT64_MIN);
  CHECK(events::parse_signed_decimal("9223372036854775807") == INT64_MAX);
  CHECK_FALSE(events::parse_signed_decimal("-9223372036854775809"));
  CHECK_FALSE(events::parse_signed_decimal("9223372036854775808"));
  CHECK_FALSE(events::parse_signed_decimal("-"));
  CHECK_FALSE(events::parse_signed_decimal("--1"));
}

TEST_CASE("/proc paths the job chooses: numbers out of range are not targets, never errors") {
  auto open_of = [](const std::string& path) {
    return nlohmann::json{{"type", "file_open"}, {"process", {{"pid", 7}}}, {"file", {{"path", path}}}};
  };
  for (const char* path : {"/proc/99999999999999999999/environ", "/proc/-1/mem", "/proc/0x10/mem",
                           "/proc//mem", "/proc/4294967296/mem", "/proc/self/environ"}) {
    CAPTURE(path);
    CHECK_FALSE(events::proc_access_event(open_of(path)));
    CHECK_FALSE(findings::parse_proc_path(path));
  }
  const std::string long_digits = "/proc/" + std::string(4000, '9') + "/mem";
  CHECK_FALSE(events::proc_access_event(open_of(long_digits)));
  CHECK_FALSE(findings::parse_proc_path(long_digits));
  auto p = events::proc_access_event(open_of("/proc/4294967295/mem"));
  REQUIRE(p);
  CHECK((*p)["priv"]["args"]["target_pid"] == 4294967295u);
  auto t = findings::parse_proc_path("/proc/4294967295/task/2/mem");
  REQUIRE(t);
  CHECK(t->pid == 4294967295);
  CHECK(t->file == "mem");
  CHECK(events::proc_access_event(nlohmann::json{{"file", {{"path", "/proc/1/mem"}}}}).has_value());  // no process fields
}
