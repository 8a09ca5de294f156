#include <doctest/doctest.h>

#include "synth.hpp"

TEST_CASE("exec-after-download from curl -o then sh of the file") {
  synth::Trail t;
  auto dl = t.exec(1, 0, "/usr/bin/curl", {"curl", "-fsSL", "-o", "install.sh", "https://x.test/install.sh"});
  auto run = t.exec(2, 0, "/usr/bin/bash", {"bash", "./install.sh", "--yes"});
  auto fs = t.findings();
  REQUIRE(fs.size() == 1);
  CHECK(fs[0]["id"] == "exec-after-download");
  CHECK(fs[0]["exec_ids"] == nlohmann::json::array({1, 2}));
  CHECK(fs[0]["evidence"] == nlohmann::json::array({dl, run}));
  CHECK(fs[0]["title"].get<std::string>().find("/home/runner/_work/r/r/install.sh") != std::string::npos);
}

TEST_CASE("exec-after-download through file events of a tar fed by wget") {
  synth::Trail t;
  auto dl = t.exec(1, 0, "/usr/bin/wget", {"wget", "-qO-", "https://x.test/t.tgz"}, synth::pipes(0, 55));
  t.exec(2, 0, "/usr/bin/tar", {"tar", "xz"}, synth::pipes(55, 0));
  auto w = t.open(2, "/tmp/tool/bin/tool", {"write", "create"});
  auto run = t.exec(3, 0, "/tmp/tool/bin/tool", {"tool", "--version"});
  auto fs = t.findings();
  REQUIRE(fs.size() == 1);
  CHECK(fs[0]["evidence"] == nlohmann::json::array({dl, w, run}));
  CHECK(fs[0]["exec_ids"] == nlohmann::json::array({1, 3}));
}

TEST_CASE("exec-after-download near miss: a compiler's output run after a download") {
  synth::Trail t;
  t.exec(1, 0, "/usr/bin/curl", {"curl", "-o", "src.tgz", "https://x.test/src.tgz"});
  t.exec(2, 0, "/usr/bin/cc", {"cc", "-o", "/tmp/app", "main.c"});
  t.open(2, "/tmp/app", {"write", "create", "truncate"});
  t.exec(3, 0, "/tmp/app", {"/tmp/app"});
  t.exec(4, 0, "/usr/bin/bash", {"bash", "-c", "src.tgz"});  // inline code, not the file
  CHECK(t.findings().empty());
}
