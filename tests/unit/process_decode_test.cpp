// Pure decoding of the process family's raw records, and the layout user space shares with BPF.
#include <doctest/doctest.h>

#include <cstddef>
#include <cstring>
#include <string>

#include "bpf/events/process.h"
#include "trail/events/process_decode.hpp"
#include "tests/unit/exec_record_bytes.hpp"

using jobtrail::events::decode_process_record;
using jobtrail::events::exit_status_json;
using jobtrail::events::split_nul;

// The BPF side is compiled by clang for another target: these pin the layout both agree on.
static_assert(sizeof(event_header) == 40);
static_assert(offsetof(event_header, exec_id) == 24);
static_assert(offsetof(event_header, cgroup_id) == 32);
static_assert(sizeof(process_exec_event) % 8 == 0);
static_assert(offsetof(process_exec_event, parent_exec_id) == 40);
static_assert(sizeof(process_exit_event) == 56);
static_assert(sizeof(jt_flow) == 40);
static_assert(offsetof(process_exec_event, stdin_flow) == 144);
static_assert(offsetof(process_exec_event, stdout_flow) == 184);
static_assert(sizeof(process_exec_event) == 224);

namespace {
std::string exec_record(const std::string& binary, const std::string& cwd, const std::string& env,
                        const std::string& args, std::uint32_t flags = 0, const jt_flow& stdin_flow = {}) {
  process_exec_event e{};
  e.stdin_flow = stdin_flow;
  e.hdr.type = JT_EV_PROCESS_EXEC;
  e.hdr.pid = 100;
  e.hdr.tid = 100;
  e.hdr.exec_id = 7;
  e.hdr.ktime_ns = 123;
  e.parent_exec_id = 3;
  e.ppid = 99;
  e.old_tid = 100;
  e.flags = flags;
  return exec_record_bytes(e, binary, cwd, env, args);
}
using namespace std::string_literals;
}  // namespace

TEST_CASE("split_nul keeps empty strings and a cut last argument") {
  CHECK(split_nul("a\0b c\0\0"s) == std::vector<std::string>{"a", "b c", ""});
  CHECK(split_nul("one\0tw"s) == std::vector<std::string>{"one", "tw"});
  CHECK(split_nul(""s).empty());
}

TEST_CASE("an exec record decodes into schema fields") {
  auto raw = exec_record("/usr/bin/curl\0"s, "/work\0"s, "GITHUB_REPOSITORY=o/r\0GITHUB_RUN_ID=9\0"s,
                         "curl\0-k\0\0new\nline\0"s, JT_EXEC_STDIN_PIPE);
  std::string why;
  auto j = decode_process_record(raw.data(), raw.size(), &why);
  REQUIRE_MESSAGE(j, why);
  CHECK((*j)["type"] == "process_exec");
  auto& p = (*j)["process"];
  CHECK(p["binary"] == "/usr/bin/curl");
  CHECK(p["cwd"] == "/work");
  CHECK(p["args"] == nlohmann::json({"curl", "-k", "", "new\nline"}));
  CHECK(p["args_truncated"] == false);
  CHECK(p["exec_id"] == 7);
  CHECK(p["parent_exec_id"] == 3);
  CHECK(p["ppid"] == 99);
  CHECK_FALSE(p.contains("exec_tid"));
  CHECK((*j)["env"] == nlohmann::json({{"GITHUB_REPOSITORY", "o/r"}, {"GITHUB_RUN_ID", "9"}}));
  CHECK((*j)["stdio"]["stdin"]["pipe"] == true);
  CHECK((*j)["stdio"]["stdout"]["pipe"] == false);
  CHECK((*j)["ktime_ns"] == 123);
}

TEST_CASE("truncation flags are reported never silent") {
  auto raw = exec_record("/bin/x\0"s, "/\0"s, ""s, "x\0aaaa"s, JT_EXEC_ARGS_TRUNCATED | JT_EXEC_CWD_TRUNCATED);
  auto j = decode_process_record(raw.data(), raw.size(), nullptr);
  REQUIRE(j);
  CHECK((*j)["process"]["args_truncated"] == true);
  CHECK((*j)["process"]["cwd_truncated"] == true);
  CHECK((*j)["process"]["args"] == nlohmann::json({"x", "aaaa"}));
}

TEST_CASE("short or inconsistent records are refused with a reason") {
  auto raw = exec_record("/bin/x\0"s, "/\0"s, ""s, "x\0"s);
  std::string why;
  CHECK_FALSE(decode_process_record(raw.data(), 10, &why));
  CHECK_FALSE(why.empty());
  why.clear();
  CHECK_FALSE(decode_process_record(raw.data(), raw.size() - 1, &why));  // header size > received
  CHECK_FALSE(why.empty());
  auto lying = raw;
  reinterpret_cast<process_exec_event*>(lying.data())->args_len = 5000;  // parts past the end
  why.clear();
  CHECK_FALSE(decode_process_record(lying.data(), lying.size(), &why));
  CHECK(why.find("exceed") != std::string::npos);
  auto unknown = raw;
  reinterpret_cast<event_header*>(unknown.data())->type = 77;
  CHECK_FALSE(decode_process_record(unknown.data(), unknown.size(), nullptr));
}

TEST_CASE("exit statuses become a code or a signal") {
  CHECK(exit_status_json(3 << 8)["code"] == 3);
  CHECK(exit_status_json(3 << 8)["signal"].is_null());
  CHECK(exit_status_json(255 << 8)["code"] == 255);
  auto killed = exit_status_json(9);
  CHECK(killed["signal"] == 9);
  CHECK(killed["signal_name"] == "KILL");
  auto segv = exit_status_json(11 | 0x80);
  CHECK(segv["signal"] == 11);
  CHECK(segv["core_dumped"] == true);
}

TEST_CASE("an exit record decodes with its duration") {
  process_exit_event e{};
  e.hdr.type = JT_EV_PROCESS_EXIT;
  e.hdr.size = sizeof e;
  e.hdr.pid = 5;
  e.hdr.exec_id = 2;
  e.exit_code = 1 << 8;
  e.duration_ns = 42;
  auto j = decode_process_record(&e, sizeof e, nullptr);
  REQUIRE(j);
  CHECK((*j)["type"] == "process_exit");
  CHECK((*j)["exit"]["code"] == 1);
  CHECK((*j)["exit"]["duration_ns"] == 42);
  CHECK((*j)["process"]["exec_id"] == 2);
}

TEST_CASE("a socket stdin carries its connection in the net family's field names; a tty is marked") {
  jt_flow f{};
  f.family = JT_AF_INET;
  f.protocol = JT_PROTO_TCP;
  const unsigned char lo[4] = {127, 0, 0, 1};
  std::memcpy(f.src, lo, 4);
  std::memcpy(f.dst, lo, 4);
  f.src_port = 40001;
  f.dst_port = 4444;
  auto raw = exec_record("/usr/bin/bash\0"s, "/\0"s, ""s, "bash\0-i\0"s, JT_EXEC_STDIN_SOCKET | JT_EXEC_STDOUT_SOCKET, f);
  auto j = decode_process_record(raw.data(), raw.size(), nullptr);
  REQUIRE(j);
  const auto& in = (*j)["stdio"]["stdin"];
  CHECK(in["socket"] == true);
  CHECK(in["pipe"] == false);
  CHECK(in["net"] == nlohmann::json{{"protocol", "tcp"}, {"family", "ipv4"}, {"src_addr", "127.0.0.1"}, {"src_port", 40001},
                                    {"dst_addr", "127.0.0.1"}, {"dst_port", 4444}});
  CHECK((*j)["stdio"]["stdout"]["socket"] == true);
  CHECK_FALSE((*j)["stdio"]["stdout"].contains("net"));  // a socket with no inet flow (unix): no connection
  CHECK_FALSE(in.contains("tty"));

  auto tty = exec_record("/usr/bin/sh\0"s, "/\0"s, ""s, "sh\0"s, JT_EXEC_STDIN_TTY);
  auto t = decode_process_record(tty.data(), tty.size(), nullptr);
  REQUIRE(t);
  CHECK((*t)["stdio"]["stdin"]["tty"] == true);
  CHECK_FALSE((*t)["stdio"]["stdin"].contains("socket"));
}
