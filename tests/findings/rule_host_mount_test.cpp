#include <doctest/doctest.h>

#include "synth.hpp"

TEST_CASE("host-mount flags mount of a block device from argv and from the syscall") {
  synth::Trail t;
  auto e = t.exec(1, 0, "/usr/bin/mount", {"mount", "/dev/sda2", "/mnt"});
  t.priv(1, "mount", {{"source", "/dev/sda2"}, {"target", "/mnt"}, {"fstype", "ext4"}}, "EPERM");  // same act: no 2nd finding
  auto s = t.priv(3, "mount", {{"source", "/dev/sda2"}, {"target", "/mnt"}, {"fstype", "ext4"}}, "EPERM");
  t.exec(2, 0, "/usr/bin/mount", {"mount", "--bind", "/", "/host"});
  auto fs = t.findings();
  REQUIRE(fs.size() == 3);
  CHECK(fs[0]["id"] == "host-mount");
  CHECK(fs[0]["evidence"] == nlohmann::json::array({e}));
  CHECK(fs[1]["evidence"] == nlohmann::json::array({s}));
  CHECK(fs[1]["title"].get<std::string>().find("failed: EPERM") != std::string::npos);
  CHECK(fs[2]["title"].get<std::string>().find("bind mount of /") != std::string::npos);
}

TEST_CASE("host-mount near misses: tmpfs and proc and overlay mounts and a plain mount listing") {
  synth::Trail t;
  t.exec(1, 0, "/usr/bin/mount", {"mount", "-t", "tmpfs", "tmpfs", "/mnt"});
  t.priv(1, "mount", {{"source", "proc"}, {"target", "/proc"}, {"fstype", "proc"}});
  t.priv(1, "mount", {{"source", "overlay"}, {"target", "/var/lib/docker/x"}, {"fstype", "overlay"}});
  t.exec(2, 0, "/usr/bin/mount", {"mount"});
  t.priv(2, "mount", {{"source", "/dev/shm"}, {"target", "/x"}, {"fstype", "tmpfs"}});
  CHECK(t.findings().empty());
}
