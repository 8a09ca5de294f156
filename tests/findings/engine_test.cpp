#include <doctest/doctest.h>

#include <stdexcept>

#include "synth.hpp"
#include "trail/events/compact.hpp"
#include "trail/findings/config.hpp"

TEST_CASE("engine switches rules off by id and rejects unknown ids") {
  synth::Trail t;
  t.exec(1, 0, "/usr/bin/curl", {"curl", "-k", "https://x.test"});
  jobtrail::findings::Config cfg;
  cfg.disabled = {"tls-verify-disabled"};
  CHECK(t.findings(cfg).empty());
  cfg.disabled = {"no-such-rule"};
  CHECK_THROWS_AS(jobtrail::findings::Engine{cfg}, std::invalid_argument);
}

TEST_CASE("engine caps findings per rule and reports the rest in one closing finding") {
  synth::Trail t;
  for (std::uint64_t i = 1; i <= 8; ++i) t.exec(i, 0, "/usr/bin/curl", {"curl", "-k", "https://x.test/" + std::to_string(i)});
  jobtrail::findings::Config cfg;
  cfg.max_per_rule = 5;
  auto fs = t.findings(cfg);
  REQUIRE(fs.size() == 6);
  CHECK(fs[5]["id"] == "tls-verify-disabled");
  CHECK(fs[5]["title"].get<std::string>().find("3 more") == 0);
}

TEST_CASE("engine ignores finding events and malformed events") {
  jobtrail::findings::Engine engine({});
  CHECK(engine.on_event({{"type", "finding"}, {"finding", {{"id", "pipe-to-shell"}}}}).empty());
  CHECK(engine.on_event(nlohmann::json::array()).empty());
  CHECK(engine.on_event({{"type", "process_exec"}, {"process", "not an object"}}).empty());
  CHECK(engine.on_event({{"type", "priv_syscall"}, {"priv", {{"syscall", 7}, {"args", "x"}}}}).empty());
  CHECK(engine.on_event({{"type", "file_open"}, {"file", {{"path", "/proc/12/mem"}, {"mode", 3}}}, {"process", {{"pid", "x"}}}}).size() == 1);
}

TEST_CASE("finding event carries the cause and prints a compact line") {
  synth::Trail t;
  t.exec(1, 0, "/usr/bin/curl", {"curl", "-k", "https://x.test"});
  jobtrail::findings::Engine engine({});
  auto out = engine.on_event(t.events[0]);
  REQUIRE(out.size() == 1);
  CHECK(out[0]["type"] == "finding");
  CHECK(out[0]["time"] == t.events[0]["time"]);
  CHECK(out[0]["process"]["exec_id"] == 1);
  CHECK_FALSE(out[0].contains("seq"));  // the archive writer numbers it
  auto line = jobtrail::events::format_compact(out[0], {"ns", "pod"});
  CHECK(line == "⚠️ finding ns/pod medium tls-verify-disabled: TLS verification disabled: curl -k (/usr/bin/curl -k "
                "https://x.test) (exec 1, evidence seq 0)");
}

TEST_CASE("domain allow-list patterns") {
  using jobtrail::findings::domain_allowed;
  CHECK(domain_allowed("GitHub.com.", {"github.com"}));
  CHECK(domain_allowed("a.b.github.com", {"*.github.com"}));
  CHECK_FALSE(domain_allowed("github.com", {"*.github.com"}));
  CHECK_FALSE(domain_allowed("evilgithub.com", {"*.github.com"}));
}
