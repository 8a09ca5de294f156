#include <doctest/doctest.h>

#include "synth.hpp"

TEST_CASE("proc-environ-read of another process") {
  synth::Trail t;
  t.exec(1, 0, "/actions-runner/bin/Runner.Worker", {"Runner.Worker"}, {}, 42);
  t.exec(2, 1, "/usr/bin/cat", {"cat", "/proc/42/environ"});
  auto e = t.open(2, "/proc/42/environ", {"read"});
  auto fs = t.findings();
  REQUIRE(fs.size() == 1);
  CHECK(fs[0]["id"] == "proc-environ-read");
  CHECK(fs[0]["severity"] == "critical");
  CHECK(fs[0]["evidence"] == nlohmann::json::array({e}));
}

TEST_CASE("proc-environ-read near miss: own environ") {
  synth::Trail t;
  t.exec(1, 0, "/usr/bin/cat", {"cat", "/proc/self/environ"});
  t.open(1, "/proc/self/environ", {"read"});
  t.open(1, "/proc/1001/environ", {"read"});
  t.open(1, "/proc/42/cmdline", {"read"});
  CHECK(t.findings().empty());
}
