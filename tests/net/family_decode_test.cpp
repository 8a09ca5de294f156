// Decoders of the file/net/dns/priv raw records and the file folding (pure, no kernel).
#include <arpa/inet.h>
#include <fcntl.h>

#include <doctest/doctest.h>

#include <cstddef>
#include <cstring>
#include <vector>

#include "bpf/events/file.h"
#include "bpf/events/net.h"
#include "bpf/events/priv.h"
#include "trail/events/file_decode.hpp"
#include "trail/events/runner_command_files.hpp"
#include "trail/events/net_decode.hpp"
#include "trail/events/priv_decode.hpp"

using nlohmann::json;
using namespace jobtrail;

// Layout guards: the BPF side is compiled from the same headers, so sizes must not depend on
// the compiler's padding choices.
static_assert(sizeof(jt_flow) == 40);
static_assert(sizeof(net_conn_event) == 40 + 40 + 8);
static_assert(offsetof(net_close_event, bytes_sent) == 80);
static_assert(offsetof(dns_packet_event, data) == 96);
static_assert(offsetof(file_event, path1_len) % 2 == 0 && sizeof(file_event) % 8 == 0);
static_assert(offsetof(file_event, file_id) % 8 == 0 && offsetof(file_totals, by_exec) % 8 == 0);
static_assert(sizeof(file_close_event) == sizeof(event_header) + sizeof(file_totals) && sizeof(file_totals) % 8 == 0);
static_assert(offsetof(priv_event, str) % 2 == 0 && sizeof(priv_cap_event) == 48);

namespace {

jt_flow v4_flow(const char* src, unsigned sport, const char* dst, unsigned dport, unsigned proto) {
  jt_flow f{};
  inet_pton(AF_INET, src, f.src);
  inet_pton(AF_INET, dst, f.dst);
  f.src_port = sport;
  f.dst_port = dport;
  f.family = JT_AF_INET;
  f.protocol = proto;
  return f;
}

template <typename T>
void header(T& e, unsigned type, unsigned pid = 42, unsigned long long exec = 7) {
  e.hdr.type = type;
  e.hdr.size = sizeof(T);
  e.hdr.pid = pid;
  e.hdr.tid = pid;
  e.hdr.exec_id = exec;
}

std::vector<unsigned char> file_record(unsigned type, unsigned sys, long ret, std::uint64_t flags, const char* p1,
                                       const char* d1, const char* p2 = nullptr, const char* d2 = nullptr,
                                       unsigned pid = 42, std::uint64_t file_id = 0, std::uint64_t exec = 7) {
  file_event e{};
  header(e, type, pid, exec);
  e.ret = ret;
  e.file_id = file_id;
  e.open_flags = flags;
  e.mode = 0640;
  e.syscall = sys;
  std::vector<unsigned char> data;
  auto put = [&](const char* s, std::uint16_t& len) {
    if (!s) return;
    len = std::strlen(s) + 1;
    data.insert(data.end(), s, s + len);
  };
  put(p1, e.path1_len);
  put(d1, e.dir1_len);
  put(p2, e.path2_len);
  put(d2, e.dir2_len);
  e.hdr.size = sizeof(e) + data.size();
  std::vector<unsigned char> out(reinterpret_cast<unsigned char*>(&e), reinterpret_cast<unsigned char*>(&e) + sizeof(e));
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

// A description's totals at its release, as file.bpf.c reports them.
std::vector<unsigned char> close_record(std::uint64_t file_id, std::uint64_t read, std::uint64_t written,
                                        std::vector<std::pair<std::uint64_t, std::uint64_t>> writers = {},
                                        unsigned flags = 0, unsigned pid = 42, std::uint64_t exec = 7) {
  file_close_event e{};
  header(e, JT_EV_FILE_CLOSE, pid, exec);
  e.t.file_id = file_id;
  e.t.open_exec_id = exec;
  e.t.open_pid = pid;
  e.t.open_fd = 5;
  e.t.bytes_read = read;
  e.t.bytes_written = written;
  e.t.flags = flags;
  for (std::size_t i = 0; i < writers.size() && i < JT_FILE_WRITERS_MAX; ++i)
    e.t.by_exec[i] = {writers[i].first, writers[i].second};
  return {reinterpret_cast<unsigned char*>(&e), reinterpret_cast<unsigned char*>(&e) + sizeof(e)};
}

json decode_file(const std::vector<unsigned char>& r) {
  std::string why;
  auto j = events::decode_file_record(r.data(), r.size(), &why);
  REQUIRE_MESSAGE(j, why);
  return *j;
}

std::string fake_time(std::int64_t ns) { return std::to_string(ns); }

}  // namespace

TEST_CASE("net decode: connect result and refused") {
  dns::NameTable names;
  dns::TcpStreams tcp;
  net_conn_event e{};
  header(e, JT_EV_NET_CONNECT);
  e.flow = v4_flow("127.0.0.1", 50000, "127.0.0.1", 8080, JT_PROTO_TCP);
  e.result = -111;
  std::string why;
  auto j = events::decode_net_record(&e, sizeof(e), names, tcp, &why);
  REQUIRE(j);
  CHECK((*j)["type"] == "net_connect");
  CHECK((*j)["net"]["result"] == "ECONNREFUSED");
  CHECK((*j)["net"]["dst_port"] == 8080);
  CHECK((*j)["process"]["exec_id"] == 7);
  CHECK_FALSE(events::decode_net_record(&e, sizeof(e) - 1, names, tcp, &why));
  CHECK(why.find("need") != std::string::npos);
}

TEST_CASE("net decode: dns answer teaches the name table and annotates the next connect") {
  dns::NameTable names;
  dns::TcpStreams tcp;
  auto pkt = std::make_unique<dns_packet_event>();
  header(*pkt, JT_EV_DNS_PACKET);
  pkt->flow = v4_flow("127.0.0.77", 53, "127.0.0.1", 40000, JT_PROTO_UDP);
  pkt->flags = JT_DNS_INGRESS;
  const unsigned char resp[] = {0x4a, 0x54, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, 3, 's', 'v', 'c', 4, 't', 'e', 's', 't',
                                0, 0, 1, 0, 1, 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 1, 2, 3};
  std::memcpy(pkt->data, resp, sizeof(resp));
  pkt->captured_len = pkt->packet_len = sizeof(resp);
  std::string why;
  auto a = events::decode_net_record(pkt.get(), sizeof(*pkt), names, tcp, &why);
  REQUIRE(a);
  CHECK((*a)["type"] == "dns_answer");
  CHECK((*a)["dns"]["name"] == "svc.test");
  CHECK((*a)["dns"]["server"] == "127.0.0.77:53");
  CHECK((*a)["dns"]["answers"][0]["data"] == "10.1.2.3");
  net_conn_event c{};
  header(c, JT_EV_NET_CONNECT);
  c.flow = v4_flow("127.0.0.1", 50000, "10.1.2.3", 443, JT_PROTO_TCP);
  auto j = events::decode_net_record(&c, sizeof(c), names, tcp, &why);
  REQUIRE(j);
  CHECK((*j)["net"]["dst_name"] == "svc.test");

  pkt->captured_len = 7;  // cut short: recorded as malformed, never a crash
  auto bad = events::decode_net_record(pkt.get(), sizeof(*pkt), names, tcp, &why);
  REQUIRE(bad);
  CHECK((*bad)["dns"]["malformed"] == true);
}

TEST_CASE("file decode: relative path joined to its directory and normalised") {
  CHECK(events::join_path("/a/b", "../c/./d") == "/a/c/d");
  CHECK(events::join_path("", "/x//y/") == "/x/y");
  CHECK(events::join_path("/", "..") == "/");
  auto j = decode_file(file_record(JT_EV_FILE_OPEN, JT_SYS_OPENAT, 3, O_WRONLY | O_CREAT | O_TRUNC, "a.txt", "/tmp/w"));
  CHECK(j["file"]["path"] == "/tmp/w/a.txt");
  CHECK(j["file"]["mode"] == json({"write", "create", "truncate"}));
  CHECK(j["file"]["result"] == "ok");
  CHECK(j["file"]["fd"] == 3);
  auto r = decode_file(file_record(JT_EV_FILE_CHANGE, JT_SYS_RENAMEAT2, 0, 0, "a", "/w", "/abs/b", nullptr));
  CHECK(r["file"]["op"] == "rename");
  CHECK(r["file"]["path"] == "/w/a");
  CHECK(r["file"]["new_path"] == "/abs/b");
  auto u = decode_file(file_record(JT_EV_FILE_CHANGE, JT_SYS_UNLINKAT, -2, AT_REMOVEDIR, "/gone", nullptr));
  CHECK(u["file"]["op"] == "rmdir");
  CHECK(u["file"]["result"] == "ENOENT");
}

TEST_CASE("file folding: repeated opens fold with count and byte totals until the exec exits") {
  events::FileFolder folder(true);
  std::vector<json> out;
  auto feed = [&](json r) {
    auto got = folder.add(std::move(r), fake_time);
    out.insert(out.end(), got.begin(), got.end());
  };
  for (int i = 0; i < 3; ++i) {
    auto o = decode_file(file_record(JT_EV_FILE_OPEN, JT_SYS_OPENAT, 5, O_RDONLY, "/etc/hosts", nullptr, nullptr,
                                     nullptr, 42, 0xffff888000001000ull));
    o["ktime_ns"] = 100 + i;
    feed(o);
    feed(decode_file(close_record(0xffff888000001000ull, 10, 0)));
  }
  feed(decode_file(file_record(JT_EV_FILE_OPEN, JT_SYS_OPENAT, -13, O_RDONLY, "/etc/shadow", nullptr)));
  CHECK(out.empty());
  CHECK(folder.pending() == 2);
  feed({{"type", "file_exit"}, {"process", {{"pid", 42}, {"exec_id", 7}}}});
  REQUIRE(out.size() == 2);
  const json& hosts = out[0]["file"]["path"] == "/etc/hosts" ? out[0] : out[1];
  const json& shadow = out[0]["file"]["path"] == "/etc/hosts" ? out[1] : out[0];
  CHECK(hosts["file"]["count"] == 3);
  CHECK(hosts["file"]["bytes_read"] == 30);
  CHECK(hosts["file"]["first_time"] == "100");
  CHECK(hosts["file"]["last_time"] == "102");
  CHECK(!hosts["file"].contains("file_id"));  // a kernel address: never in the trail
  CHECK(shadow["file"]["result"] == "EACCES");
  CHECK(folder.pending() == 0);
}

TEST_CASE("file folding: totals follow the description to its release, with the execs that wrote") {
  events::FileFolder folder(true);
  std::vector<json> out;
  auto feed = [&](json r) {
    auto got = folder.add(std::move(r), fake_time);
    out.insert(out.end(), got.begin(), got.end());
  };
  // the shell (exec 7) opens `> out.bin`; head (exec 9) writes 50000 through its fd 1
  feed(decode_file(file_record(JT_EV_FILE_OPEN, JT_SYS_OPENAT, 3, O_WRONLY | O_CREAT | O_TRUNC, "/w/out.bin",
                               nullptr, nullptr, nullptr, 42, 0xa000, 7)));
  // the shell's exec ends while head still holds the description: the fold waits for it
  feed({{"type", "file_exit"}, {"process", {{"pid", 42}, {"exec_id", 7}}}});
  CHECK(out.empty());
  feed(decode_file(close_record(0xa000, 0, 50000, {{9, 50000}}, 0, 43, 9)));
  REQUIRE(out.size() == 1);
  CHECK(out[0]["process"]["exec_id"] == 7);  // attributed to the open that created it
  CHECK(out[0]["file"]["bytes_written"] == 50000);
  CHECK(out[0]["file"]["writers"] == json::parse(R"([{"exec_id": 9, "bytes_written": 50000}])"));
  CHECK(folder.pending() == 0);
  CHECK(folder.bytes() == 0);
}

TEST_CASE("file folding: an open under an address whose release was lost replaces it") {
  events::FileFolder folder(true);
  std::vector<json> out;
  auto feed = [&](json r) {
    auto got = folder.add(std::move(r), fake_time);
    out.insert(out.end(), got.begin(), got.end());
  };
  feed(decode_file(file_record(JT_EV_FILE_OPEN, JT_SYS_OPENAT, 3, O_RDONLY, "/a", nullptr, nullptr, nullptr, 42, 0xb000)));
  feed(decode_file(file_record(JT_EV_FILE_OPEN, JT_SYS_OPENAT, 4, O_RDONLY, "/b", nullptr, nullptr, nullptr, 42, 0xb000)));
  feed(decode_file(close_record(0xb000, 77, 0)));
  feed({{"type", "file_exit"}, {"process", {{"pid", 42}, {"exec_id", 7}}}});
  REQUIRE(out.size() == 2);
  for (const auto& e : out) CHECK(e["file"]["bytes_read"] == (e["file"]["path"] == "/b" ? 77 : 0));
}

TEST_CASE("file folding: a runner command file is never folded and carries its bytes") {
  events::FileFolder folder(true);
  std::vector<json> out;
  auto feed = [&](json r) {
    auto got = folder.add(std::move(r), fake_time);
    out.insert(out.end(), got.begin(), got.end());
  };
  const char* env = "/home/runner/_work/_temp/_runner_file_commands/set_env_0f1e";
  for (std::uint64_t id : {0xc000, 0xc100}) {
    feed(decode_file(file_record(JT_EV_FILE_OPEN, JT_SYS_OPENAT, 1, O_WRONLY | O_CREAT | O_APPEND, env, nullptr,
                                 nullptr, nullptr, 42, id)));
    feed(decode_file(close_record(id, 0, id == 0xc000 ? 8 : 21, {{7, id == 0xc000 ? 8 : 21}})));
  }
  REQUIRE(out.size() == 2);  // at each release, before the exec ends
  CHECK(out[0]["file"]["command_file"] == "GITHUB_ENV");
  CHECK(out[0]["file"]["count"] == 1);
  CHECK(out[0]["file"]["bytes_written"] == 8);
  CHECK(out[1]["file"]["bytes_written"] == 21);
  CHECK(out[1]["file"]["writers"] == json::parse(R"([{"exec_id": 7, "bytes_written": 21}])"));
  // one whose release never comes is still written at the trail's end
  feed(decode_file(file_record(JT_EV_FILE_OPEN, JT_SYS_OPENAT, 1, O_WRONLY | O_APPEND, env, nullptr, nullptr,
                               nullptr, 42, 0xc200)));
  auto rest = folder.flush();
  REQUIRE(rest.size() == 1);
  CHECK(rest[0]["file"]["command_file"] == "GITHUB_ENV");
  CHECK(rest[0]["file"]["release_unseen"] == true);
  CHECK(folder.bytes() == 0);
}

TEST_CASE("runner command files: named after the variable the runner reads them into") {
  const std::string dir = "/runner/_work/_temp/_runner_file_commands/";
  CHECK(events::runner_command_file(dir + "set_env_1") == "GITHUB_ENV");
  CHECK(events::runner_command_file(dir + "set_output_1") == "GITHUB_OUTPUT");
  CHECK(events::runner_command_file(dir + "add_path_1") == "GITHUB_PATH");
  CHECK(events::runner_command_file(dir + "step_summary_1") == "GITHUB_STEP_SUMMARY");
  CHECK(events::runner_command_file(dir + "save_state_1") == "GITHUB_STATE");
  CHECK(events::runner_command_file(dir + "other") == "runner_file_command");
  CHECK(events::runner_command_file(dir).empty());
  CHECK(events::runner_command_file(dir + "sub/set_env_1").empty());
  CHECK(events::runner_command_file("/tmp/set_env_1").empty());
}

TEST_CASE("file folding off: every open and a file_io per fd") {
  events::FileFolder folder(false);
  auto a = folder.add(decode_file(file_record(JT_EV_FILE_OPEN, JT_SYS_OPEN, 4, O_RDWR, "/x", nullptr)), fake_time);
  REQUIRE(a.size() == 1);
  CHECK(a[0]["file"]["count"] == 1);
  auto b = folder.add(decode_file(close_record(0xd000, 1, 2)), fake_time);
  CHECK(b.empty());  // not the description of that open
  folder.add(decode_file(file_record(JT_EV_FILE_OPEN, JT_SYS_OPEN, 5, O_RDWR, "/y", nullptr, nullptr, nullptr, 42,
                                     0xd000)),
             fake_time);
  b = folder.add(decode_file(close_record(0xd000, 1, 2)), fake_time);
  REQUIRE(b.size() == 1);
  CHECK(b[0]["type"] == "file_io");
  CHECK(b[0]["file"]["path"] == "/y");
  CHECK(b[0]["file"]["bytes_written"] == 2);
}

TEST_CASE("priv decode: mount strings and unshare namespaces") {
  auto e = std::make_unique<priv_event>();
  header(*e, JT_EV_PRIV_SYSCALL);
  e->syscall = JT_PRIV_MOUNT;
  e->ret = -1;
  std::strcpy(e->str[0], "/dev/sda2");
  e->str_len[0] = 10;
  std::strcpy(e->str[1], "/mnt");
  e->str_len[1] = 5;
  std::string why;
  auto j = events::decode_priv_record(e.get(), sizeof(*e), &why);
  REQUIRE(j);
  CHECK((*j)["priv"]["syscall"] == "mount");
  CHECK((*j)["priv"]["args"]["source"] == "/dev/sda2");
  CHECK((*j)["priv"]["args"]["target"] == "/mnt");
  CHECK((*j)["priv"]["result"] == "EPERM");
  e->syscall = JT_PRIV_UNSHARE;
  e->ret = 0;
  e->args[0] = 0x40000000 | 0x00020000;
  j = events::decode_priv_record(e.get(), sizeof(*e), &why);
  REQUIRE(j);
  CHECK((*j)["priv"]["args"]["namespaces"] == json({"mnt", "net"}));
  e->syscall = 999;
  CHECK_FALSE(events::decode_priv_record(e.get(), sizeof(*e), &why));
  CHECK(events::capability_name(21) == "CAP_SYS_ADMIN");
}

TEST_CASE("priv: an open of another process's /proc/pid/mem is a priv event") {
  json open = {{"type", "file_open"}, {"process", {{"pid", 42}}},
               {"file", {{"path", "/proc/99/mem"}, {"mode", {"read"}}, {"result", "ok"}}}};
  auto p = events::proc_access_event(open);
  REQUIRE(p);
  CHECK((*p)["priv"]["syscall"] == "open_proc_mem");
  CHECK((*p)["priv"]["args"]["target_pid"] == 99);
  open["file"]["path"] = "/proc/42/environ";  // its own
  CHECK_FALSE(events::proc_access_event(open));
  open["file"]["path"] = "/proc/99/status";
  CHECK_FALSE(events::proc_access_event(open));
}

TEST_CASE("file folding within a byte budget: long paths are released early, every open still counted") {
  events::FileFolder folder(true, 200000, 1 << 20);
  std::uint64_t opens = 0;
  const std::string dir = "/tmp/" + std::string(3000, 'd') + "/";
  for (int i = 0; i < 2000; ++i) {
    auto o = decode_file(file_record(JT_EV_FILE_OPEN, JT_SYS_OPENAT, -2, O_RDONLY, (dir + std::to_string(i)).c_str(), nullptr));
    for (auto& e : folder.add(std::move(o), fake_time)) opens += e["file"]["count"].get<std::uint64_t>();
    CHECK(folder.bytes() <= (1u << 20) + 16384);  // at most one fold past it, until it is released
  }
  for (auto& e : folder.flush()) opens += e["file"]["count"].get<std::uint64_t>();
  CHECK(opens == 2000);
  CHECK(folder.released_early() > 0);
  CHECK(folder.bytes() == 0);
}
