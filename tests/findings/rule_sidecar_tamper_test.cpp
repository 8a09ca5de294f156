#include <doctest/doctest.h>

#include "synth.hpp"

TEST_CASE("sidecar-tamper: a signal, a ptrace attach and a memory read of the sidecar are critical") {
  synth::Trail t;
  t.exec(1, 0, "/usr/bin/bash", {"bash", "-c", "kill -TERM 7"});
  auto sig = t.priv(1, "signal", {{"signal", "SIGTERM"}, {"signo", 15}, {"target", "sidecar"}, {"delivery", "delivered"}});
  t.priv(1, "signal", {{"signal", "SIGTERM"}, {"signo", 15}, {"target", "sidecar"}});  // a loop: one finding
  t.exec(2, 0, "/usr/bin/gdb", {"gdb", "-p", "7"});
  auto attach = t.priv(2, "ptrace", {{"request", "PTRACE_ATTACH"}, {"target_pid", 7}, {"target", "sidecar"}}, "EPERM");
  t.priv(2, "ptrace", {{"request", "PTRACE_DETACH"}, {"target_pid", 7}, {"target", "sidecar"}});  // same act
  auto read = t.priv(2, "process_vm_readv", {{"target_pid", 7}, {"target", "sidecar"}}, "ESRCH");
  t.exec(3, 0, "/usr/bin/cat", {"cat", "/proc/7/environ"});
  t.priv(3, "open_proc_environ", {{"path", "/proc/7/environ"}, {"target_pid", 7}});  // from the file family: no verdict
  auto env = t.priv(3, "open_proc_environ", {{"proc_path", "/proc/7/environ"}, {"target_pid", 7}, {"target", "sidecar"}});
  std::vector<nlohmann::json> mine;
  for (auto& f : t.findings())
    if (f["id"] == "sidecar-tamper") mine.push_back(f);
  REQUIRE(mine.size() == 4);
  for (auto& f : mine) CHECK(f["severity"] == "critical");
  CHECK(mine[0]["evidence"] == nlohmann::json::array({sig}));
  CHECK(mine[0]["title"].get<std::string>().find("sent SIGTERM to the jobtrail sidecar") != std::string::npos);
  CHECK(mine[1]["evidence"] == nlohmann::json::array({attach}));
  CHECK(mine[1]["title"].get<std::string>().find("ptrace (PTRACE_ATTACH)") != std::string::npos);
  CHECK(mine[1]["title"].get<std::string>().find("failed: EPERM") != std::string::npos);
  CHECK(mine[2]["evidence"] == nlohmann::json::array({read}));
  CHECK(mine[2]["exec_ids"] == nlohmann::json::array({2}));
  CHECK(mine[3]["evidence"] == nlohmann::json::array({env}));
  CHECK(mine[3]["title"].get<std::string>().find("opened the environment (/proc/7/environ)") != std::string::npos);
}

TEST_CASE("sidecar-tamper near misses: the job signalling or tracing its own processes") {
  synth::Trail t;
  t.exec(1, 0, "/usr/bin/bash", {"bash"});
  t.priv(1, "ptrace", {{"request", "PTRACE_ATTACH"}, {"target_pid", 1002}});
  t.priv(1, "process_vm_readv", {{"target_pid", 1002}});
  t.priv(1, "signal", {{"signal", "SIGTERM"}, {"target", "job"}});  // only the kernel writes "sidecar"
  t.priv(1, "setns", {{"target", "sidecar"}});                        // not an act on a process
  for (auto& f : t.findings()) CHECK(f["id"] != "sidecar-tamper");
}
