#include <doctest/doctest.h>

#include "synth.hpp"

TEST_CASE("pipe-to-shell links curl stdout and sh stdin by pipe inode in either order") {
  synth::Trail t;
  t.exec(1, 0, "/usr/bin/bash", {"bash", "job.sh"});
  auto sh = t.exec(3, 1, "/usr/bin/dash", {"sh"}, synth::pipes(777, 0));  // the shell execs first
  auto curl = t.exec(2, 1, "/usr/bin/curl", {"curl", "-fsSL", "https://get.example.test"}, synth::pipes(0, 777));
  auto py = t.exec(5, 1, "/usr/bin/python3.11", {"python3"}, synth::pipes(888, 0));
  auto wget = t.exec(4, 1, "/usr/bin/wget", {"wget", "-qO-", "https://x.test/m.py"}, synth::pipes(0, 888));
  (void)wget;
  auto fs = t.findings();
  REQUIRE(fs.size() == 2);
  CHECK(fs[0]["id"] == "pipe-to-shell");
  CHECK(fs[0]["severity"] == "high");
  CHECK(fs[0]["exec_ids"] == nlohmann::json::array({2, 3}));
  CHECK(fs[0]["evidence"] == nlohmann::json::array({sh, curl}));
  CHECK(fs[1]["exec_ids"] == nlohmann::json::array({4, 5}));
  CHECK(fs[1]["evidence"] == nlohmann::json::array({py, wget}));
}

TEST_CASE("pipe-to-shell near misses: cat piped into sh and curl piped into grep") {
  synth::Trail t;
  t.exec(1, 0, "/usr/bin/cat", {"cat", "script.sh"}, synth::pipes(0, 100));
  t.exec(2, 0, "/usr/bin/dash", {"sh"}, synth::pipes(100, 0));
  t.exec(3, 0, "/usr/bin/curl", {"curl", "https://x.test"}, synth::pipes(0, 200));
  t.exec(4, 0, "/usr/bin/grep", {"grep", "x"}, synth::pipes(200, 0));
  t.exec(5, 0, "/usr/bin/curl", {"curl", "https://x.test"}, synth::pipes(0, 300));
  t.exec(6, 0, "/usr/bin/dash", {"sh"}, synth::pipes(301, 0));  // another pipe
  CHECK(t.findings().empty());
}
