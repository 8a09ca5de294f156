#include <doctest/doctest.h>

#include "synth.hpp"

namespace {
const char* kDir = "/home/runner/_work/_temp/_runner_file_commands/";

// A command-file open as the sidecar writes it (unfolded, with the opener's argv joined).
std::uint64_t command_write(synth::Trail& t, std::uint64_t exec_id, const std::string& file, const std::string& variable,
                            std::vector<std::string> args) {
  nlohmann::json ev = {{"type", "file_open"},
                       {"time", "2026-11-29T00:00:01.000000000Z"},
                       {"process", {{"pid", 1000 + exec_id}, {"exec_id", exec_id}, {"binary", "/bin/sh"}, {"args", args}}},
                       {"file", {{"path", std::string(kDir) + file}, {"mode", {"write", "create", "append"}}, {"result", "ok"},
                                 {"count", 1}, {"command_file", variable}, {"bytes_written", 21}}}};
  return t.add(ev);
}
}  // namespace

TEST_CASE("command-file-injection: LD_PRELOAD echoed into $GITHUB_ENV") {
  synth::Trail t;
  t.exec(1, 0, "/bin/sh", {"sh", "-c", "echo LD_PRELOAD=/tmp/x.so >> \"$GITHUB_ENV\""});
  auto e = command_write(t, 1, "set_env_1", "GITHUB_ENV", {"sh", "-c", "echo LD_PRELOAD=/tmp/x.so >> \"$GITHUB_ENV\""});
  auto fs = t.findings();
  REQUIRE(fs.size() == 1);
  CHECK(fs[0]["id"] == "command-file-injection");
  CHECK(fs[0]["severity"] == "high");
  CHECK(fs[0]["evidence"] == nlohmann::json::array({e}));
}

TEST_CASE("command-file-injection: any write to $GITHUB_PATH adds a PATH entry") {
  synth::Trail t;
  t.exec(1, 0, "/bin/bash", {"bash", "-e", "/home/runner/_work/_temp/step.sh"});
  command_write(t, 1, "add_path_1", "GITHUB_PATH", {"bash", "-e", "/home/runner/_work/_temp/step.sh"});
  auto fs = t.findings();
  REQUIRE(fs.size() == 1);
  CHECK(fs[0]["severity"] == "medium");
}

TEST_CASE("command-file-injection near miss: other variables, other command files, reads") {
  synth::Trail t;
  t.exec(1, 0, "/bin/sh", {"sh", "-c", "echo FOO=bar >> \"$GITHUB_ENV\"; echo LD_PRELOAD=x >> \"$GITHUB_OUTPUT\""});
  command_write(t, 1, "set_env_1", "GITHUB_ENV", {"sh", "-c", "echo FOO=bar >> \"$GITHUB_ENV\""});
  command_write(t, 1, "set_output_1", "GITHUB_OUTPUT", {"sh", "-c", "echo LD_PRELOAD=x >> \"$GITHUB_OUTPUT\""});
  t.open(1, std::string(kDir) + "add_path_1", {"read"});  // no command_file key: not written by the job
  CHECK(t.findings().empty());
}
