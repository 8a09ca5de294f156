#include <doctest/doctest.h>

#include "synth.hpp"

using nlohmann::json;

TEST_CASE("shell-startup-write: .bashrc appended, /etc/ld.so.preload, a sed -i rename, a git hook") {
  synth::Trail t;
  t.exec(1, 0, "/usr/bin/node", {"node", "telemetry.js"});
  auto bashrc = t.open(1, "/home/runner/.bashrc", {"write", "append"});
  auto zshrc = t.open(1, "/home/runner/.zshrc", {"write", "create", "append"});
  auto preload = t.open(1, "/etc/ld.so.preload", {"write", "create", "truncate"});
  t.exec(2, 0, "/usr/bin/sed", {"sed", "-i", "s/x/y/", "/etc/profile.d/proxy.sh"});
  auto sed = t.of(2, "file_change", "file", {{"op", "rename"}, {"path", "/etc/profile.d/sedAb12"}, {"new_path", "/etc/profile.d/proxy.sh"}, {"result", "ok"}});
  auto hook = t.open(1, "/home/runner/_work/r/r/.git/hooks/pre-push", {"write", "create"});
  auto fs = t.findings();
  REQUIRE(fs.size() == 5);
  CHECK(fs[0]["id"] == "shell-startup-write");
  CHECK(fs[0]["severity"] == "high");
  CHECK(fs[0]["evidence"] == json::array({bashrc}));
  CHECK(fs[1]["evidence"] == json::array({zshrc}));
  CHECK(fs[2]["severity"] == "critical");
  CHECK(fs[2]["evidence"] == json::array({preload}));
  CHECK(fs[3]["evidence"] == json::array({sed}));
  CHECK(fs[4]["severity"] == "medium");
  CHECK(fs[4]["evidence"] == json::array({hook}));
}

TEST_CASE("shell-startup-write near misses: reading .bashrc, git init's sample hooks, look-alike names") {
  synth::Trail t;
  t.exec(1, 0, "/usr/bin/bash", {"bash", "-l"});
  t.open(1, "/home/runner/.bashrc", {"read"});
  t.open(1, "/etc/profile", {"read"});
  t.exec(2, 0, "/usr/lib/git-core/git", {"git", "init"});
  t.open(2, "/home/runner/_work/r/r/.git/hooks/pre-commit.sample", {"write", "create", "truncate"});
  t.exec(3, 0, "/usr/bin/cp", {"cp", "a", "b"});
  t.open(3, "/home/runner/_work/r/r/docs/bashrc.example", {"write", "create"});
  t.open(3, "/home/runner/_work/r/r/.git/hooks-backup/x/pre-push", {"write", "create"});
  t.open(3, "/etc/ld.so.preload", {"read"});
  auto fs = t.findings();
  CHECK_MESSAGE(fs.empty(), json(fs).dump());
}
