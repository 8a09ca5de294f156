// The typed event reader (trail/event/decoder.hpp): every event type read back from lines the
// real decoders produce and the archive writer's rule serialises, and hostile lines refused
// (counted), never thrown.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <string>

#include "tests/unit/event_lines.hpp"
#include "trail/events/priv_decode.hpp"
#include "trail/events/process_decode.hpp"
#include "trail/findings/finding.hpp"

using namespace event_lines;


TEST_CASE("process_exec from the process decoder, argv and cwd not UTF-8: every field, the exact bytes") {
  const std::string args = "/bin/echo\0\xff\xfe\0plain\0"s;
  const std::string env = "GITHUB_JOB=build\0GITHUB_REF=refs/\xc0\0"s;
  auto raw = exec_record("/usr/bin/echo\0"s, "/w\xff\0"s, env, args, JT_EXEC_STDIN_PIPE | JT_EXEC_ENV_TRUNCATED);
  std::string why;
  auto j = events::decode_process_record(raw.data(), raw.size(), &why);
  REQUIRE(j);
  (*j)["process"]["container"] = {{"cgroup", "cri-containerd-ab.scope"}, {"id", "ab"}};
  const std::string line = archive_line(*j);
  REQUIRE(line.find("args_b64") != std::string::npos);  // the writer rule did apply

  const auto e = rewritten(line);  // and the writer gives the line back
  REQUIRE(e.type == events::Type::process_exec);
  CHECK(e.name() == "process_exec");
  CHECK(e.seq == 5u);
  CHECK(e.time == "2026-11-29T00:00:01.000000001Z");
  CHECK(e.invalid_utf8);
  const auto& p = e.process;
  CHECK(p.args == std::vector<std::string>{"/bin/echo", "\xff\xfe", "plain"});
  CHECK(p.cwd == "/w\xff");
  CHECK(p.binary == "/usr/bin/echo");
  CHECK(p.exec_id == 7);
  CHECK(p.parent_exec_id == 3);
  CHECK(p.pid == 100);
  CHECK(p.tid == 100);
  CHECK(p.ppid == 99);
  CHECK(p.exec_tid == 101);
  CHECK(p.has(event::ProcessField::exec_tid));
  CHECK(p.uid == 1001);
  CHECK(p.gid == 1002);
  CHECK(p.egid == 4294967295u);
  CHECK(p.ns_pid == 1);
  CHECK(p.cgroup_id == 99999);
  CHECK_FALSE(p.args_truncated);
  CHECK(p.has(event::ProcessField::args_truncated));
  REQUIRE(p.container);
  CHECK(p.container->cgroup == "cri-containerd-ab.scope");
  const auto* x = e.get<event::Exec>();
  REQUIRE(x);
  CHECK(x->env_truncated);
  CHECK(x->env == std::vector<std::pair<std::string, std::string>>{{"GITHUB_JOB", "build"}, {"GITHUB_REF", "refs/\xc0"}});
  REQUIRE(x->stdin_);
  CHECK(x->stdin_->pipe);
  CHECK(x->stdin_->inode == 4242);
  REQUIRE(x->stdout_);
  CHECK_FALSE(x->stdout_->pipe);
  REQUIRE(x->namespaces);
  CHECK(x->namespaces->mnt == 4026531840ull);
  CHECK(x->namespaces->user == 4026531837ull);
}

TEST_CASE("process_exec whose stdin is a socket: the connection is read") {
  process_exec_event e{};
  e.hdr.type = JT_EV_PROCESS_EXEC;
  e.hdr.size = sizeof e;
  e.hdr.pid = e.old_tid = 9;
  e.flags = JT_EXEC_STDIN_SOCKET;
  e.stdin_flow = v4_flow("10.0.0.2", 4444, "10.0.0.9", 55000, JT_PROTO_TCP);
  std::string why;
  auto j = events::decode_process_record(&e, sizeof e, &why);
  REQUIRE(j);
  const auto ev = rewritten(archive_line(*j));
  const auto* x = ev.get<event::Exec>();
  REQUIRE(x);
  REQUIRE(x->stdin_);
  CHECK(x->stdin_->socket);
  REQUIRE(x->stdin_->net);
  CHECK(x->stdin_->net->dst_addr == "10.0.0.9");
  CHECK(x->stdin_->net->src_port == 4444);
  CHECK_FALSE(ev.process.has(event::ProcessField::exec_tid));
}

TEST_CASE("process_exit from the process decoder: code, signal, duration") {
  process_exit_event e{};
  e.hdr.type = JT_EV_PROCESS_EXIT;
  e.hdr.size = sizeof e;
  e.hdr.pid = 100;
  e.hdr.exec_id = 7;
  e.ppid = 99;
  e.duration_ns = 123456789;
  for (auto [status, code, signal] : {std::tuple{0x0100u, 1, 0}, {0x0009u, -1, 9}}) {
    e.exit_code = status;
    std::string why;
    auto j = events::decode_process_record(&e, sizeof e, &why);
    REQUIRE(j);
    const auto ev = rewritten(archive_line(*j));
    const auto* x = ev.get<event::Exit>();
    REQUIRE(x);
    CHECK(x->duration_ns == 123456789);
    if (signal) {
      CHECK_FALSE(x->code);
      CHECK(x->signal == 9u);
      CHECK(x->signal_name == "KILL");
      CHECK(x->core_dumped == false);
    } else {
      CHECK(x->code == code);
      CHECK_FALSE(x->signal);
    }
    CHECK(ev.process.ppid == 99);
    CHECK_FALSE(ev.process.has(event::ProcessField::binary));
  }
}

TEST_CASE("net events from the net decoder: connect, close, udp") {
  net_conn_event c{};
  header(c, JT_EV_NET_CONNECT);
  c.flow = v4_flow("10.0.0.2", 50000, "140.82.112.3", 443, JT_PROTO_TCP);
  c.result = -111;
  auto ev = rewritten(archive_line(net_event(&c, sizeof c)));
  CHECK(ev.type == events::Type::net_connect);
  const auto* n = ev.get<event::Net>();
  REQUIRE(n);
  CHECK(n->flow == event::Flow{"tcp", "ipv4", "10.0.0.2", 50000, "140.82.112.3", 443});
  CHECK(n->result == "ECONNREFUSED");
  CHECK(ev.process.tid == 43);
  CHECK(ev.process.cgroup_id == 5);

  net_close_event cl{};
  header(cl, JT_EV_NET_CLOSE);
  cl.flow = c.flow;
  cl.bytes_sent = 500;
  cl.bytes_received = 1ull << 40;
  cl.duration_ns = 77;
  cl.flags = JT_CLOSE_INCOMING;
  ev = rewritten(archive_line(net_event(&cl, sizeof cl)));
  n = ev.get<event::Net>();
  REQUIRE(n);
  CHECK(n->bytes_sent == 500);
  CHECK(n->bytes_received == 1ull << 40);
  CHECK(n->direction == "incoming");

  net_udp_event u{};
  header(u, JT_EV_NET_UDP);
  u.flow = v4_flow("10.0.0.2", 40000, "10.0.0.53", 53, JT_PROTO_UDP);
  u.datagrams = 3;
  u.bytes = 90;
  ev = rewritten(archive_line(net_event(&u, sizeof u)));
  n = ev.get<event::Net>();
  REQUIRE(n);
  CHECK(ev.type == events::Type::net_udp);
  CHECK(n->datagrams == 3);
  CHECK(n->bytes == 90);
  CHECK(n->flow.protocol == "udp");
}

TEST_CASE("dns_answer from the net decoder") {
  auto pkt = std::make_unique<dns_packet_event>();
  header(*pkt, JT_EV_DNS_PACKET);
  pkt->flow = v4_flow("127.0.0.77", 53, "127.0.0.1", 40000, JT_PROTO_UDP);
  pkt->flags = JT_DNS_INGRESS;
  const unsigned char resp[] = {0x4a, 0x54, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, 3, 's', 'v', 'c', 4, 't', 'e', 's', 't',
                                0, 0, 1, 0, 1, 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 1, 2, 3};
  std::memcpy(pkt->data, resp, sizeof(resp));
  pkt->captured_len = pkt->packet_len = sizeof(resp);
  const auto ev = rewritten(archive_line(net_event(pkt.get(), sizeof(*pkt))));
  CHECK(ev.type == events::Type::dns_answer);
  const auto* d = ev.get<event::Dns>();
  REQUIRE(d);
  CHECK(d->id == 0x4a54);
  CHECK(d->name == "svc.test");
  CHECK(d->qtype == "A");
  CHECK(d->rcode == "NOERROR");
  CHECK(d->server == "127.0.0.77:53");
  CHECK(d->transport == "udp");
  CHECK(d->packet_bytes == sizeof(resp));
  REQUIRE(d->answers);
  REQUIRE(d->answers->size() == 1);
  CHECK((*d->answers)[0] == event::DnsRecord{"svc.test", "A", 60, "10.1.2.3"});
}

TEST_CASE("priv_syscall and capability from the priv decoder: typed fields and the whole object") {
  priv_event p{};
  header(p, JT_EV_PRIV_SYSCALL);
  p.syscall = JT_PRIV_SETNS;
  p.args[0] = 3;
  p.args[1] = 0x00020000;
  p.ret = 0;
  p.extra = 4026531832u;
  p.host_ns = JT_HOST_NS_MNT;
  std::string why;
  auto j = events::decode_priv_record(&p, sizeof p, &why);
  REQUIRE(j);
  auto ev = rewritten(archive_line(*j));
  const auto* x = ev.get<event::Priv>();
  REQUIRE(x);
  CHECK(x->syscall == "setns");
  CHECK(x->result == "ok");
  CHECK(json::parse(x->json) == (*j)["priv"]);  // nothing of the arguments is lost

  priv_cap_event c{};
  header(c, JT_EV_PRIV_CAPABILITY);
  c.cap = 21;
  c.ret = 0;
  j = events::decode_priv_record(&c, sizeof c, &why);
  REQUIRE(j);
  ev = rewritten(archive_line(*j));
  const auto* cap = ev.get<event::Capability>();
  REQUIRE(cap);
  CHECK(cap->name == "CAP_SYS_ADMIN");
  CHECK(cap->cap == 21);
  CHECK(cap->granted);
  CHECK(cap->count == 1);
  CHECK(json::parse(cap->json) == (*j)["capability"]);
}

TEST_CASE("file events as the folder writes them, a path not UTF-8") {
  json folded = {{"type", "file_open"},
                 {"process", {{"pid", 42}, {"tid", 42}, {"exec_id", 7}, {"binary", "/bin/sh"}, {"args", nullptr}}},
                 {"file",
                  {{"path", "/etc/\xc0"},
                   {"syscall", "openat"},
                   {"mode", {"write", "create"}},
                   {"result", "ok"},
                   {"create_mode", "0644"},
                   {"count", 3},
                   {"bytes_read", 0},
                   {"bytes_written", 17},
                   {"writers", {{{"exec_id", 7}, {"bytes_written", 17}}}},
                   {"writers_cut", true},
                   {"first_time", "2026-11-29T00:00:01Z"},
                   {"last_time", "2026-11-29T00:00:02Z"}}}};
  auto ev = decoded(archive_line(folded));
  // The join's null is no value of the event: the writer leaves the member out.
  json carried = folded;
  carried["process"].erase("args");
  CHECK(written(ev) == archive_line(carried));
  const auto* f = ev.get<event::File>();
  REQUIRE(f);
  CHECK(f->path == "/etc/\xc0");
  CHECK(f->mode == std::vector<std::string>{"write", "create"});
  CHECK(f->count == 3u);
  CHECK(f->bytes_written == 17u);
  REQUIRE(f->writers);
  CHECK(*f->writers == std::vector<event::FileWriter>{{7, 17}});
  CHECK(f->writers_cut);
  CHECK_FALSE(f->fd);
  CHECK(f->first_time == "2026-11-29T00:00:01Z");
  CHECK_FALSE(ev.process.has(event::ProcessField::args));  // the join's null: not carried

  json change = {{"type", "file_change"},
                 {"process", {{"pid", 42}, {"exec_id", 7}}},
                 {"file", {{"op", "chown"}, {"path", "/x"}, {"owner", {{"uid", -1}, {"gid", 0}}}, {"result", "EPERM"}}}};
  ev = rewritten(archive_line(change));
  f = ev.get<event::File>();
  REQUIRE(f);
  CHECK(f->op == "chown");
  REQUIRE(f->owner);
  CHECK(f->owner->uid == -1);
  CHECK(f->result == "EPERM");
}

TEST_CASE("finding, lost, job_identity and family_missing as the sidecar writes them") {
  findings::Finding fd{"pipe-to-shell", "high", "curl | sh", {7, 8}, {3, 4, 5}};
  json cause = {{"type", "process_exec"}, {"time", "2026-11-29T00:00:03Z"},
                {"process", {{"pid", 42}, {"exec_id", 8}, {"binary", "/bin/sh"}, {"args", {"sh"}}, {"uid", 0}}}};
  auto ev = rewritten(archive_line(findings::to_event(fd, cause)));
  const auto* f = ev.get<event::Finding>();
  REQUIRE(f);
  CHECK(f->id == "pipe-to-shell");
  CHECK(f->severity == "high");
  CHECK(f->title == "curl | sh");
  CHECK(f->exec_ids == std::vector<std::uint64_t>{7, 8});
  CHECK(f->evidence == std::vector<std::uint64_t>{3, 4, 5});
  CHECK(ev.time == "2026-11-29T00:00:03Z");
  CHECK(ev.process.exec_id == 8);

  ev = rewritten(archive_line({{"type", "lost"}, {"lost_type", "upload_given_up"}, {"count", 12}, {"object", "events-000001.jsonl.zst"},
                             {"error", "AccessDenied"}, {"attempts", 9}}));
  const auto* l = ev.get<event::Lost>();
  REQUIRE(l);
  CHECK(l->lost_type == "upload_given_up");
  CHECK(l->count == 12);
  CHECK(l->object == "events-000001.jsonl.zst");
  CHECK(l->attempts == 9u);
  CHECK_FALSE(ev.has_process);

  ev = rewritten(archive_line({{"type", "job_identity"}, {"job", {{"GITHUB_RUN_ID", "7"}, {"GITHUB_REF", "refs/\xff"}}},
                             {"mismatch", true}, {"reason", "values_differ"}, {"revealed_by", nullptr},
                             {"process", {{"pid", 1}, {"exec_id", 3}}}}));
  const auto* id = ev.get<event::Identity>();
  REQUIRE(id);
  CHECK(id->mismatch);
  CHECK(id->reason == "values_differ");
  CHECK_FALSE(id->revealed_by);
  REQUIRE(id->job);
  CHECK(*id->job == std::vector<std::pair<std::string, std::string>>{{"GITHUB_REF", "refs/\xff"}, {"GITHUB_RUN_ID", "7"}});

  ev = rewritten(archive_line({{"type", "family_missing"}, {"family", "file"}, {"reason", "no tracepoint"}}));
  const auto* m = ev.get<event::FamilyMissing>();
  REQUIRE(m);
  CHECK(m->family == "file");
  CHECK(m->reason == "no tracepoint");
}

TEST_CASE("keys the schema does not name and types it does not know are kept out, not refused") {
  auto ev = decoded(R"({"type":"net_connect","future":{"deep":[1,2]},"net":{"dst_addr":"1.2.3.4","dst_port":1,"quic":true},)"
                    R"("process":{"pid":1,"new_field":"x"}})");
  REQUIRE(ev.get<event::Net>());
  CHECK(ev.get<event::Net>()->flow.dst_addr == "1.2.3.4");
  ev = decoded(R"({"type":"gpu_launch","process":{"pid":3}})");
  CHECK_FALSE(ev.type);
  CHECK(ev.name() == "gpu_launch");
  CHECK(ev.process.pid == 3);
  ev = decoded(R"({"time":"2026-11-29T00:00:00Z"})");  // no type at all
  CHECK(ev.name().empty());
  // A sibling that does not decode leaves the readable form (as text::exact_string does).
  ev = decoded(R"({"type":"file_open","file":{"path":"/a\ufffd","path_b64":"not base64!"}})");
  CHECK(ev.get<event::File>()->path == "/a\xef\xbf\xbd");
}

TEST_CASE("exact-bytes siblings: the last of a key counts, and many of them cost no more than their number") {
  auto ev = decoded(R"({"type":"process_exec","env":{"A":"x","A_b64":"eQ==","A_b64":"eg=="},)"
                    R"("process":{"cwd":"/a","cwd_b64":"L2I=","cwd_b64":"no base64"}})");
  CHECK(ev.get<event::Exec>()->env == std::vector<std::pair<std::string, std::string>>{{"A", "z"}});
  CHECK(ev.process.cwd == "/a");  // its last sibling is no base64: the readable form stays
  ev = decoded(R"({"type":"process_exec","process":{"pid":1,"cwd_b64":"L2I=","binary_b64":"L2I="}})");
  CHECK(ev.process.cwd.empty());  // a sibling without its key: the event has no cwd or binary
  CHECK(ev.process.binary.empty());
  ev = decoded(R"({"type":"process_exec","type":"gpu_launch"})");  // a key given twice: the last
  CHECK_FALSE(ev.type);
  CHECK(ev.name() == "gpu_launch");
  ev = decoded(R"({"type":"gpu_launch","type":"process_exec"})");
  CHECK(ev.type == events::Type::process_exec);
  CHECK(ev.type_name.empty());
  // 30,000 env members, each with a sibling: a scan of the siblings per member (9e8 compares)
  // took minutes under the sanitizers; lookups by key take milliseconds.
  std::string line = R"({"type":"process_exec","env":{)";
  constexpr int kMembers = 30000;
  for (int i = 0; i < kMembers; ++i) line += (i ? ",\"" : "\"") + std::to_string(i) + R"(":"-",")" + std::to_string(i) + R"(_b64":"eQ==")";
  line += "}}";
  REQUIRE(line.size() < event::max_line_bytes);
  const auto start = std::chrono::steady_clock::now();
  ev = decoded(line);
  const auto took = std::chrono::steady_clock::now() - start;
  const auto& env = ev.get<event::Exec>()->env;
  REQUIRE(env.size() == static_cast<std::size_t>(kMembers));
  CHECK(std::all_of(env.begin(), env.end(), [](const auto& kv) { return kv.second == "y"; }));
  CHECK(took < std::chrono::seconds(3));
}

TEST_CASE("hostile lines are counted decode errors, never exceptions") {
  const std::string lines[] = {
      R"({"type":5})", "[1,2,3]", R"("x")", "null", "", "{", R"({"type":"process_exec","process":"x"})",
      R"({"type":"process_exec","process":{"binary":7}})", R"({"type":"process_exec","process":{"args":{"a":1}}})",
      R"({"type":"process_exec","process":{"exec_id":-1}})", R"({"type":"process_exec","process":{"pid":1e400}})",
      R"({"type":"process_exec","process":{"pid":4294967296}})",  // past u32
      R"({"type":"process_exit","process":{"exec_id":[]},"exit":"x"})",
      R"({"type":"process_exit","exit":{"code":"1"}})",
      R"({"type":"file_open","file":[],"process":{"pid":-9223372036854775809}})",
      R"({"type":"net_connect","net":{"dst_addr":{},"dst_port":99999999999999999999999}})",
      R"({"type":"dns_answer","dns":{"answers":[1,"x",{"data":[]}],"name":5}})",
      R"({"type":"priv_syscall","priv":{"args":"x","syscall":[]}})", R"({"type":"lost","count":"many","lost_type":{}})",
      R"({"type":"finding","finding":"x"})", R"({"type":"finding","finding":{"exec_ids":[-1]}})",
      R"({"type":"job_identity","job":[1]})", R"({"type":"job_identity","job":{"GITHUB_JOB":1}})",
      R"({"type":"capability","capability":{"count":-1}})", R"({"type":"process_exec","time":{},"seq":"x"})",
      R"({"type":"file_open","file":{"path":"\xff\xfe"}})",  // raw invalid UTF-8: not JSON
      R"({"type":"file_open"} trailing)", std::string(100000, '[') + std::string(100000, ']'),
      R"({"type":"process_exec","process":{"binary":")" + std::string(3'000'000, 'A') + R"("}})"};
  event::Decoder d;
  event::Event e;
  std::uint64_t n = 0;
  for (const auto& line : lines) {
    INFO(line.substr(0, 120));
    CHECK_FALSE(d.decode(line, e));
    CHECK(d.errors() == ++n);
  }
  CHECK(d.first_error().find("line 1: type") == 0);
  // and the decoder still reads good lines after all that
  CHECK(d.decode(R"({"type":"lost","lost_type":"x","count":2})", e));
  CHECK(e.get<event::Lost>()->count == 2);
}

TEST_CASE("the depth bound is the archive reader's: 64 levels are an event, 65 are not") {
  auto nested = [](std::size_t levels) {
    std::string s = R"({"type":"lost","x":)";
    for (std::size_t i = 1; i < levels; ++i) s += "[";
    for (std::size_t i = 1; i < levels; ++i) s += "]";
    return s + "}";
  };
  event::Decoder d;
  event::Event e;
  CHECK(d.decode(nested(64), e));
  CHECK_FALSE(d.decode(nested(65), e));
}

TEST_CASE("a line longer than the bound is refused before it is parsed") {
  event::Decoder d(1000);
  event::Event e;
  CHECK_FALSE(d.decode(R"({"type":"lost","lost_type":")" + std::string(1000, 'x') + R"("})", e));
  CHECK(d.first_error().find("longer than 1000") != std::string::npos);
}

TEST_CASE("an older archive's container, a plain string, is its name") {
  const auto ev = decoded(R"({"type":"process_exec","process":{"pid":1,"container":"runner"}})");
  REQUIRE(ev.process.container);
  CHECK(ev.process.container->name == "runner");
  CHECK(ev.process.container->cgroup.empty());
}
