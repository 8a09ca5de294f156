#include <doctest/doctest.h>

#include "synth.hpp"

using nlohmann::json;

TEST_CASE("workflow-file-write: high at the write, critical when a git push follows") {
  synth::Trail t;
  t.exec(1, 0, "/usr/bin/node", {"node", "bundle.js"});
  auto w = t.open(1, "/home/runner/_work/r/r/.github/workflows/shai-hulud-workflow.yml", {"write", "create", "truncate"});
  t.exec(2, 1, "/usr/lib/git-core/git", {"git", "add", "."});
  auto push = t.exec(3, 1, "/usr/lib/git-core/git", {"git", "-c", "user.name=x", "-C", "/home/runner/_work/r/r", "push", "origin", "HEAD"});
  auto fs = t.findings();
  REQUIRE(fs.size() == 2);
  CHECK(fs[0]["id"] == "workflow-file-write");
  CHECK(fs[0]["severity"] == "high");
  CHECK(fs[0]["evidence"] == json::array({w}));
  CHECK(fs[1]["severity"] == "critical");
  CHECK(fs[1]["exec_ids"] == json::array({1, 3}));
  CHECK(fs[1]["evidence"] == json::array({w, push}));
}

TEST_CASE("workflow-file-write: a folded write that arrives after the push is one critical finding") {
  synth::Trail t;
  t.exec(1, 0, "/usr/bin/python3", {"python3", "worm.py"});
  auto push = t.exec(2, 1, "/usr/bin/git", {"git", "push"});  // time ...00.000
  json file = {{"path", "/w/r/.github/workflows/ci.yaml"}, {"mode", {"write", "create"}}, {"result", "ok"},
               {"first_time", "2026-11-29T00:00:00.000000000Z"}, {"count", 1}};
  auto w = t.of(1, "file_open", "file", file);
  auto fs = t.findings();
  REQUIRE(fs.size() == 1);
  CHECK(fs[0]["severity"] == "critical");
  CHECK(fs[0]["evidence"] == json::array({push, w}));
}

TEST_CASE("workflow-file-write near misses: git checking out workflows, reads, other folders, git pull") {
  synth::Trail t;
  t.exec(1, 0, "/usr/lib/git-core/git", {"git", "checkout", "--progress", "--force", "-B", "main"});
  t.open(1, "/home/runner/_work/r/r/.github/workflows/ci.yml", {"write", "create", "truncate"});
  t.exec(2, 0, "/usr/bin/cat", {"cat", ".github/workflows/ci.yml"});
  t.open(2, "/home/runner/_work/r/r/.github/workflows/ci.yml", {"read"});
  t.exec(3, 0, "/usr/bin/cp", {"cp", "a", "b"});
  t.open(3, "/home/runner/_work/r/r/.github/workflow-templates/ci.yml", {"write", "create"});
  t.open(3, "/home/runner/_work/r/r/.github/workflows/README.md", {"write", "create"});
  t.exec(4, 0, "/usr/bin/git", {"git", "pull"});
  auto fs = t.findings();
  CHECK_MESSAGE(fs.empty(), json(fs).dump());
}
