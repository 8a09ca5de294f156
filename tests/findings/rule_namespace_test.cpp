#include <doctest/doctest.h>

#include "synth.hpp"

TEST_CASE("namespace-enter flags nsenter and setns") {
  synth::Trail t;
  auto n = t.exec(1, 0, "/usr/bin/nsenter", {"nsenter", "-t", "1", "-m", "-u", "-i", "-n", "-p", "sh"});
  auto s = t.priv(2, "setns", {{"nstype", "mnt"}});
  auto fs = t.findings();
  REQUIRE(fs.size() == 2);
  CHECK(fs[0]["id"] == "namespace-enter");
  CHECK(fs[0]["evidence"] == nlohmann::json::array({n}));
  CHECK(fs[1]["evidence"] == nlohmann::json::array({s}));
}

TEST_CASE("user-namespace flags unshare -U and CLONE_NEWUSER") {
  synth::Trail t;
  auto u = t.exec(1, 0, "/usr/bin/unshare", {"unshare", "-Ur", "sh"});
  auto s = t.priv(2, "unshare", {{"flags", 0x10000000 | 0x40000000}});
  auto s2 = t.priv(3, "unshare", {{"flags", "CLONE_NEWUSER|CLONE_NEWNS"}});
  auto fs = t.findings();
  REQUIRE(fs.size() == 3);
  CHECK(fs[0]["id"] == "user-namespace");
  CHECK(fs[0]["evidence"] == nlohmann::json::array({u}));
  CHECK(fs[1]["evidence"] == nlohmann::json::array({s}));
  CHECK(fs[2]["evidence"] == nlohmann::json::array({s2}));
}

TEST_CASE("namespace near misses: unshare -n and a net-only unshare syscall") {
  synth::Trail t;
  t.exec(1, 0, "/usr/bin/unshare", {"unshare", "-n", "true"});
  t.exec(2, 0, "/usr/bin/unshare", {"unshare", "-n", "ls", "-r"});  // -r belongs to ls
  t.priv(3, "unshare", {{"flags", 0x40000000}});
  t.priv(3, "unshare", {{"flags", "CLONE_NEWNET"}});
  CHECK(t.findings().empty());
}
