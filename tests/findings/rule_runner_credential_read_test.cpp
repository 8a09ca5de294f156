#include <doctest/doctest.h>

#include "synth.hpp"

using nlohmann::json;

TEST_CASE("runner-credential-read: the runner's registration and tool tokens read by other processes") {
  synth::Trail t;
  t.exec(1, 0, "/usr/bin/python3", {"python3", "steal.py"});
  auto cred = t.open(1, "/home/runner/.credentials", {"read"});
  auto npmrc = t.open(1, "/home/runner/.npmrc", {"read"});
  t.exec(2, 0, "/usr/bin/cat", {"cat", "/home/runner/_work/_temp/git-credentials-3f2a.config"});
  auto tmp = t.open(2, "/home/runner/_work/_temp/git-credentials-3f2a.config", {"read"});
  t.exec(3, 0, "/usr/bin/node", {"node", "bundle.js"});
  auto gh = t.of(3, "file_io", "file", {{"path", "/home/runner/.config/gh/hosts.yml"}, {"bytes_read", 90}, {"bytes_written", 0}});
  auto fs = t.findings();
  REQUIRE(fs.size() == 4);
  CHECK(fs[0]["id"] == "runner-credential-read");
  CHECK(fs[0]["severity"] == "critical");
  CHECK(fs[0]["evidence"] == json::array({cred}));
  CHECK(fs[1]["severity"] == "high");
  CHECK(fs[1]["evidence"] == json::array({npmrc}));
  CHECK(fs[2]["evidence"] == json::array({tmp}));
  CHECK(fs[3]["evidence"] == json::array({gh}));
  CHECK(fs[3]["exec_ids"] == json::array({3}));
}

TEST_CASE("runner-credential-read near misses: owners, the runner, failed probes, writes, the writer reading back") {
  synth::Trail t;
  t.exec(1, 0, "/home/runner/bin/Runner.Listener", {"/home/runner/bin/Runner.Listener", "run"});
  t.open(1, "/home/runner/.credentials", {"read"});
  t.exec(2, 0, "/usr/bin/node", {"node", "/usr/bin/npm", "install"});  // npm is a node script
  t.open(2, "/home/runner/.npmrc", {"read"});
  t.exec(3, 0, "/usr/bin/docker", {"docker", "pull", "alpine"});
  t.open(3, "/home/runner/.docker/config.json", {"read"});
  t.exec(4, 0, "/usr/bin/python3", {"python3", "-m", "boto3_app"});
  t.open(4, "/home/runner/.aws/credentials", {"read"}, "ENOENT");  // an SDK looking for a file that is not there
  t.exec(5, 0, "/usr/bin/node", {"node", "/home/runner/_work/_actions/actions/setup-node/v4/dist/setup/index.js"});
  t.open(5, "/home/runner/_work/_temp/.npmrc", {"write", "create", "truncate"});
  t.open(5, "/home/runner/_work/_temp/.npmrc", {"read"});  // the action reading back what it wrote
  t.exec(6, 0, "/usr/lib/git-core/git", {"git", "fetch"});
  t.open(6, "/home/runner/_work/_temp/git-credentials-3f2a.config", {"read"});
  t.exec(7, 0, "/usr/bin/cat", {"cat", "README.runner"});
  t.open(7, "/home/runner/_work/r/r/README.runner", {"read"});
  t.open(7, "/home/runner/_work/_temp/_runner_file_commands/step_summary_1", {"read"});
  auto fs = t.findings();
  CHECK_MESSAGE(fs.empty(), json(fs).dump());
}
