#include <doctest/doctest.h>

#include "synth.hpp"

TEST_CASE("process-memory-read of Runner.Worker via maps then mem is critical") {
  synth::Trail t;
  t.exec(1, 0, "/actions-runner/bin/Runner.Worker", {"Runner.Worker", "spawnclient", "107", "110"}, {}, 42);
  t.exec(2, 1, "/usr/bin/python3.11", {"python3", "memdump.py"});
  auto maps = t.open(2, "/proc/42/maps", {"read"});
  auto mem = t.open(2, "/proc/42/mem", {"read"});
  auto fs = t.findings();
  REQUIRE(fs.size() == 1);
  CHECK(fs[0]["id"] == "process-memory-read");
  CHECK(fs[0]["severity"] == "critical");
  CHECK(fs[0]["evidence"] == nlohmann::json::array({maps, mem}));
  CHECK(fs[0]["exec_ids"] == nlohmann::json::array({2, 1}));
  CHECK(fs[0]["title"].get<std::string>().find("Runner.Worker") != std::string::npos);
}

TEST_CASE("process-memory-read by ptrace attach and process_vm_readv") {
  synth::Trail t;
  t.exec(1, 0, "/usr/bin/sleep", {"sleep", "100"}, {}, 77);
  t.exec(2, 0, "/usr/bin/gdb", {"gdb", "-p", "77"});
  auto a = t.priv(2, "ptrace", {{"request", "PTRACE_ATTACH"}, {"target_pid", 77}});
  t.exec(3, 0, "/tmp/reader", {"reader"});
  auto r = t.priv(3, "process_vm_readv", {{"target_pid", 77}}, "EPERM");
  auto fs = t.findings();
  REQUIRE(fs.size() == 2);
  CHECK(fs[0]["severity"] == "high");
  CHECK(fs[0]["evidence"] == nlohmann::json::array({a}));
  CHECK(fs[1]["evidence"] == nlohmann::json::array({r}));
  CHECK(fs[1]["title"].get<std::string>().find("failed: EPERM") != std::string::npos);
}

TEST_CASE("process-memory-read near misses: own /proc/self/mem and PTRACE_TRACEME and own pid") {
  synth::Trail t;
  t.exec(1, 0, "/usr/bin/app", {"app"});
  t.open(1, "/proc/self/mem", {"read"});
  t.open(1, "/proc/1001/mem", {"read"});  // its own pid
  t.priv(1, "ptrace", {{"request", "PTRACE_TRACEME"}, {"target_pid", 0}});
  t.open(1, "/proc/42/maps", {"read"});  // maps alone reveals no memory
  CHECK(t.findings().empty());
}
