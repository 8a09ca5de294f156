#include <doctest/doctest.h>

#include "synth.hpp"

using nlohmann::json;

TEST_CASE("ai-agent-unsafe: agents with their checks off, critical under a package install") {
  synth::Trail t;
  auto npm = t.exec(1, 0, "/usr/bin/node", {"node", "/usr/bin/npm", "install"});
  t.exec(2, 1, "/usr/bin/dash", {"sh", "-c", "node telemetry.js"});
  t.exec(3, 2, "/usr/bin/node", {"node", "telemetry.js"});
  // claude is a node script: known by its package path; the flag after the prompt
  auto claude = t.exec(4, 3, "/usr/bin/node",
                       {"node", "/usr/lib/node_modules/@anthropic-ai/claude-code/cli.js", "-p", "find wallets", "--dangerously-skip-permissions"});
  auto gemini = t.exec(5, 3, "/usr/local/bin/gemini", {"gemini", "--approval-mode=yolo", "-p", "x"});
  auto q = t.exec(6, 3, "/usr/local/bin/q", {"q", "chat", "--no-interactive", "--trust-all-tools"});
  auto codex = t.exec(7, 0, "/usr/local/bin/codex", {"codex", "exec", "--sandbox", "danger-full-access", "fix"});  // a step of its own
  auto fs = t.findings();
  REQUIRE(fs.size() == 4);
  CHECK(fs[0]["id"] == "ai-agent-unsafe");
  CHECK(fs[0]["severity"] == "critical");
  CHECK(fs[0]["exec_ids"] == json::array({1, 4}));
  CHECK(fs[0]["evidence"] == json::array({npm, claude}));
  CHECK(fs[0]["title"].get<std::string>().find("npm install") != std::string::npos);
  CHECK(fs[1]["evidence"] == json::array({npm, gemini}));
  CHECK(fs[2]["evidence"] == json::array({npm, q}));
  CHECK(fs[3]["severity"] == "medium");
  CHECK(fs[3]["evidence"] == json::array({codex}));
}

TEST_CASE("ai-agent-unsafe near misses: agents with their checks on, the flag text in a prompt, other programs") {
  synth::Trail t;
  t.exec(1, 0, "/usr/bin/node", {"node", "/usr/bin/npm", "ci"});
  t.exec(2, 1, "/usr/local/bin/claude", {"claude", "-p", "review this --dangerously-skip-permissions"});  // one argument: the prompt
  t.exec(3, 1, "/usr/local/bin/gemini", {"gemini", "--approval-mode", "auto_edit"});
  t.exec(4, 1, "/usr/local/bin/codex", {"codex", "--sandbox", "read-only", "exec", "x"});
  t.exec(5, 1, "/usr/bin/ls", {"ls", "-y"});  // -y means yolo only to gemini
  t.exec(6, 1, "/usr/bin/npm", {"npm", "view", "--full-auto"});
  auto fs = t.findings();
  CHECK_MESSAGE(fs.empty(), json(fs).dump());
}
