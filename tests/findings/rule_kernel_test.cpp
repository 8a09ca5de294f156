#include <doctest/doctest.h>

#include "synth.hpp"

TEST_CASE("kernel-module-load flags finit_module and insmod") {
  synth::Trail t;
  auto i = t.exec(1, 0, "/usr/sbin/insmod", {"insmod", "rootkit.ko"});
  t.priv(1, "finit_module", {{"path", "/tmp/rootkit.ko"}}, "EPERM");  // insmod's own syscall: same act
  auto f = t.priv(2, "finit_module", {{"path", "/tmp/rootkit.ko"}}, "EPERM");
  auto fs = t.findings();
  REQUIRE(fs.size() == 2);
  CHECK(fs[0]["id"] == "kernel-module-load");
  CHECK(fs[0]["severity"] == "critical");
  CHECK(fs[0]["evidence"] == nlohmann::json::array({i}));
  CHECK(fs[1]["evidence"] == nlohmann::json::array({f}));
}

TEST_CASE("kernel-module-load near misses: modprobe -r and modprobe --show-depends and delete_module") {
  synth::Trail t;
  t.exec(1, 0, "/usr/sbin/modprobe", {"modprobe", "-r", "dummy"});
  t.exec(2, 0, "/usr/sbin/modprobe", {"modprobe", "--show-depends", "dummy"});
  t.priv(2, "delete_module", {{"name", "dummy"}});
  CHECK(t.findings().empty());
}

TEST_CASE("bpf-use flags the bpf syscall once per exec") {
  synth::Trail t;
  auto b = t.priv(1, "bpf", {{"cmd", "BPF_PROG_LOAD"}});
  t.priv(1, "bpf", {{"cmd", "BPF_MAP_CREATE"}});
  auto fs = t.findings();
  REQUIRE(fs.size() == 1);
  CHECK(fs[0]["id"] == "bpf-use");
  CHECK(fs[0]["evidence"] == nlohmann::json::array({b}));
}

TEST_CASE("bpf-use near miss: perf_event_open is not bpf") {
  synth::Trail t;
  t.priv(1, "perf_event_open", {{"type", 1}});
  CHECK(t.findings().empty());
}

TEST_CASE("kernel-tunable-write and release-agent-write flag writes under /proc/sys and release_agent") {
  synth::Trail t;
  auto w = t.open(1, "/proc/sys/kernel/core_pattern", {"write", "truncate"}, "EROFS");
  auto r = t.open(1, "/tmp/cg/release_agent", {"write"});
  auto s = t.open(1, "/sys/kernel/mm/transparent_hugepage/enabled", {"write"});
  auto fs = t.findings();
  REQUIRE(fs.size() == 3);
  CHECK(fs[0]["id"] == "kernel-tunable-write");
  CHECK(fs[0]["evidence"] == nlohmann::json::array({w}));
  CHECK(fs[1]["id"] == "release-agent-write");
  CHECK(fs[1]["severity"] == "critical");
  CHECK(fs[1]["evidence"] == nlohmann::json::array({r}));
  CHECK(fs[2]["evidence"] == nlohmann::json::array({s}));
}

TEST_CASE("kernel-tunable-write near misses: reads of /proc/sys and cgroup v2 writes") {
  synth::Trail t;
  t.open(1, "/proc/sys/kernel/osrelease", {"read"});
  t.open(1, "/sys/fs/cgroup/docker/cgroup.procs", {"write"});
  t.open(1, "/sys/class/net/eth0/mtu", {"read"});
  t.open(1, "/home/runner/release_agent.txt", {"write"});
  CHECK(t.findings().empty());
}
