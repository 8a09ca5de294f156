// The typed event writer (trail/event/writer.hpp): the line it makes of a decoded Event is the
// archive line byte for byte (keys in byte order, nlohmann's escaping, the byte-preserving form
// of strings that are not UTF-8), and for hostile lines the decoder accepts, writing and reading
// again gives the same Event.
#include <cstring>
#include <memory>
#include <string>

#include "tests/unit/event_lines.hpp"
#include "trail/events/priv_decode.hpp"
#include "trail/events/process_decode.hpp"

using namespace event_lines;

namespace {

// Every byte below 0x20, the two JSON escapes, DEL and a two-byte UTF-8 character.
std::string control_bytes() {
  std::string s;
  for (int c = 1; c < 0x20; ++c) s += static_cast<char>(c);
  return s + "\"\\\x7f/\xc3\xa9";
}


}  // namespace

TEST_CASE("process_exec from the process decoder, every string not UTF-8 and an env sibling that sorts after another key") {
  const std::string args = "/bin/sh\0-c\0\x01\xff\"\0"s;
  // "GITHUB_REF_NAME" < "GITHUB_REF_b64": the sibling does not follow its key
  const std::string env = "GITHUB_REF=refs/\xc0\0GITHUB_REF_NAME=main\0GITHUB_JOB=\x1b[0m\0"s;
  auto raw = exec_record("/usr/bin/\xfe\0"s, "/w\n\xff\0"s, env, args,
                         JT_EXEC_ARGS_UNREADABLE | JT_EXEC_BINARY_TRUNCATED | JT_EXEC_CWD_TRUNCATED |
                             JT_EXEC_STDOUT_SOCKET | JT_EXEC_STDIN_TTY | JT_EXEC_ARGS_TRUNCATED);
  auto* e = reinterpret_cast<process_exec_event*>(raw.data());
  e->stdout_flow = v4_flow("10.0.0.2", 4444, "10.0.0.9", 55000, JT_PROTO_UDP);
  e->stdout_flow.family = JT_AF_INET6;
  inet_pton(AF_INET6, "fd00::1", e->stdout_flow.src);
  std::string why;
  auto j = events::decode_process_record(raw.data(), raw.size(), &why);
  REQUIRE(j);
  (*j)["process"]["container"] = {{"cgroup", "cri-\xff.scope"}, {"id", "ab"}};
  const std::string line = archive_line(*j);
  CHECK(line.find("\"GITHUB_REF\":\"refs/\xef\xbf\xbd\",\"GITHUB_REF_NAME\":\"main\",\"GITHUB_REF_b64\":") != std::string::npos);
  const auto ev = rewritten(line);
  CHECK(ev.process.binary == "/usr/bin/\xfe");
  CHECK(ev.process.container->cgroup == "cri-\xff.scope");
}

TEST_CASE("process_exit killed by a signal with a core, and one without an exec_tid") {
  process_exit_event e{};
  e.hdr.type = JT_EV_PROCESS_EXIT;
  e.hdr.size = sizeof e;
  e.hdr.pid = 100;
  e.hdr.exec_id = 7;
  e.exit_code = 0x0080 | 11;
  std::string why;
  auto j = events::decode_process_record(&e, sizeof e, &why);
  REQUIRE(j);
  const auto ev = rewritten(archive_line(*j, 0));
  CHECK(ev.get<event::Exit>()->core_dumped == true);
}

TEST_CASE("file_change with control bytes, quotes and bytes not UTF-8 in its paths") {
  const json change = {{"type", "file_change"},
                       {"process", {{"pid", 42}, {"tid", 42}, {"exec_id", 7}, {"binary", "/bin/ln"}, {"args", {"ln", "-s"}}}},
                       {"file",
                        {{"op", "symlink"},
                         {"path", "/tmp/" + control_bytes()},
                         {"new_path", "/x\xff\xfe"},
                         {"target", "\xe2\x82"},  // a cut sequence
                         {"mode_bits", "0755"},
                         {"owner", {{"uid", -1}, {"gid", 4294967295ll}}},
                         {"result", "ok"},
                         {"path_truncated", true},
                         {"release_unseen", true}}}};
  const auto line = archive_line(change);
  CHECK(line.find(R"(\u0001\u0002)") != std::string::npos);  // lowercase \u00xx, as nlohmann writes it
  CHECK(line.find(R"(\u001f\"\\)") != std::string::npos);
  const auto ev = rewritten(line);
  CHECK(ev.get<event::File>()->path == "/tmp/" + control_bytes());
  CHECK(ev.get<event::File>()->target == "\xe2\x82");
}

TEST_CASE("file_open of --files=all and file_io as the file family writes them") {
  rewritten(archive_line({{"type", "file_open"},
                          {"process", {{"pid", 1}, {"exec_id", 2}, {"binary", "/bin/cat"}}},
                          {"file",
                           {{"path", "/etc/passwd"}, {"syscall", "open"}, {"mode", {"read"}}, {"result", "ENOENT"},
                            {"fd", -2}, {"count", 1}, {"path_unreadable", true}, {"command_file", "GITHUB_ENV"}}}}));
  rewritten(archive_line({{"type", "file_io"},
                          {"file",
                           {{"path", "/p"}, {"fd", 3}, {"open_exec_id", 9}, {"bytes_read", 18446744073709551615ull},
                            {"bytes_written", 0}, {"writers", json::array()}}}}));
}

TEST_CASE("net_accept with fd, and net events whose dst_name is not UTF-8") {
  net_conn_event c{};
  header(c, JT_EV_NET_ACCEPT);
  c.flow = v4_flow("10.0.0.2", 8080, "10.0.0.7", 41000, JT_PROTO_TCP);
  c.result = 5;
  auto ev = rewritten(archive_line(net_event(&c, sizeof c)));
  CHECK(ev.get<event::Net>()->fd == 5);
  auto j = net_event(&c, sizeof c);
  j["net"]["dst_name"] = "ev\xffil.test";
  ev = rewritten(archive_line(j));
  CHECK(ev.get<event::Net>()->dst_name == "ev\xffil.test");
  CHECK(ev.invalid_utf8);

  net_close_event cl{};
  header(cl, JT_EV_NET_CLOSE);
  cl.flow = c.flow;
  rewritten(archive_line(net_event(&cl, sizeof cl)));  // zero byte counts are written for a close
}

TEST_CASE("dns_query and dns_answer from the net decoder, and names not UTF-8") {
  auto pkt = std::make_unique<dns_packet_event>();
  header(*pkt, JT_EV_DNS_PACKET);
  pkt->flow = v4_flow("127.0.0.1", 40000, "127.0.0.77", 53, JT_PROTO_UDP);
  // a query whose name has a byte 0xff and a control byte in its first label (the decoder writes
  // them as "\\xff" text: the names not UTF-8 below are the archive writer's rule on a made line)
  const unsigned char query[] = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 3, 'a', 0xff, 0x01, 4, 't', 'e', 's', 't',
                                 0, 0, 28, 0, 1};
  std::memcpy(pkt->data, query, sizeof(query));
  pkt->captured_len = sizeof(query);
  pkt->packet_len = 5000;  // longer than captured
  auto ev = rewritten(archive_line(net_event(pkt.get(), sizeof(*pkt))));
  CHECK(ev.type == events::Type::dns_query);
  CHECK(ev.get<event::Dns>()->truncated_capture);

  const unsigned char junk[] = {0x12, 0x34, 0x81};
  std::memcpy(pkt->data, junk, sizeof(junk));
  pkt->captured_len = pkt->packet_len = sizeof(junk);
  ev = rewritten(archive_line(net_event(pkt.get(), sizeof(*pkt))));
  CHECK(ev.get<event::Dns>()->malformed);

  json answer = {{"type", "dns_answer"},
                 {"process", {{"pid", 42}, {"exec_id", 7}}},
                 {"dns",
                  {{"id", 7}, {"name", "\xff.test"}, {"qtype", "CNAME"}, {"rcode", "NOERROR"}, {"truncated", true},
                   {"server", "[::1]:53"}, {"transport", "tcp"}, {"packet_bytes", 90}, {"captured_bytes", 90},
                   {"answers",
                    {{{"name", "\xff.test"}, {"type", "CNAME"}, {"ttl", 5}, {"data", "b\xc0.test"}},
                     {{"name", "b.test"}, {"type", "TYPE99"}, {"ttl", 0}, {"data", ""}}}}}}};
  ev = rewritten(archive_line(answer));
  CHECK((*ev.get<event::Dns>()->answers)[0].data == "b\xc0.test");
}

TEST_CASE("priv_syscall from the priv decoder with strings not UTF-8 and control bytes: the object as it was") {
  priv_event p{};
  header(p, JT_EV_PRIV_SYSCALL);
  p.syscall = JT_PRIV_MOUNT;
  p.ret = -1;
  const std::string source = "/dev/\xff", target = "/mnt/" + control_bytes(), fstype = "ext4";
  for (int i = 0; const auto* s : {&source, &target, &fstype}) {
    std::memcpy(p.str[i], s->data(), s->size());
    p.str_len[i++] = static_cast<__u16>(s->size());
  }
  std::string why;
  auto j = events::decode_priv_record(&p, sizeof p, &why);
  REQUIRE(j);
  const auto ev = rewritten(archive_line(*j));
  CHECK(ev.invalid_utf8);
  CHECK(ev.get<event::Priv>()->result == "EPERM");
}

TEST_CASE("lost, family_missing and job_identity as the pipeline and the identity tracker write them") {
  rewritten(archive_line({{"type", "lost"}, {"lost_type", "unread_at_end"}, {"count", 0}}));
  rewritten(archive_line({{"type", "family_missing"}, {"family", "priv"}, {"reason", "no \"capability\" tracepoint\n"}}));
  const json process = {{"pid", 9}, {"exec_id", 12}, {"binary", "/bin/bash"}, {"args", {"bash", "-e", "\xff"}}};
  rewritten(archive_line({{"type", "job_identity"}, {"time", "2026-11-29T00:00:03Z"},
                          {"job", {{"GITHUB_REPOSITORY", "o/r"}, {"GITHUB_RUN_ID", "7"}, {"GITHUB_REF", "refs/\xff"},
                                   {"GITHUB_REF_NAME", "\xfe"}, {"GITHUB_JOB", ""}}},
                          {"revealed_by", 12}, {"process", process}}));
  rewritten(archive_line({{"type", "job_identity"}, {"mismatch", true}, {"reason", "second_worker"},
                          {"job", {{"GITHUB_SHA", "abc"}}}, {"revealed_by", 13}, {"process", process}}));
}

TEST_CASE("an event of a type the table does not know: its name, time, seq and process, no body") {
  auto ev = rewritten(R"({"process":{"exec_id":1,"pid":3},"seq":18446744073709551615,"time":"t","type":"gpu_launch"})");
  CHECK_FALSE(ev.type);
  event::Event made;
  made.type_name = "gpu\x01";
  made.seq = 0;
  CHECK(written(made) == R"({"seq":0,"type":"gpu\u0001"})");
}

TEST_CASE("a typed event, not read from a line: strings not UTF-8 are marked, env keys sorted") {
  event::Event e;
  e.type = events::Type::process_exec;
  e.has_process = true;
  e.process.pid = 1;
  e.process.set(event::ProcessField::pid);
  auto& x = e.body.emplace<event::Exec>();
  x.env = {{"RUNNER_NAME", "r\xff"}, {"GITHUB_JOB", "j"}};
  CHECK(written(e) ==
        R"({"env":{"GITHUB_JOB":"j","RUNNER_NAME":"r)"
        "\xef\xbf\xbd"
        R"(","RUNNER_NAME_b64":"cv8="},"invalid_utf8":true,"process":{"pid":1},"type":"process_exec"})");
  // Out of order and a name twice: sorted, the last value; a name that is another's sibling: the sibling
  x.env = {{"B", "1"}, {"A_b64", "x"}, {"A", "2"}, {"A", "\xff"}};
  CHECK(written(e) ==
        R"({"env":{"A":")"
        "\xef\xbf\xbd"
        R"(","A_b64":"/w==","B":"1"},"invalid_utf8":true,"process":{"pid":1},"type":"process_exec"})");
  x.env = {{"B", "1"}, {"A", "2"}, {"A", "3"}};
  CHECK(written(e) == R"({"env":{"A":"3","B":"1"},"process":{"pid":1},"type":"process_exec"})");
  e.body = event::Net{};
  e.process.binary = "\xff";
  e.process.set(event::ProcessField::binary);
  CHECK(written(e) ==
        R"({"invalid_utf8":true,"net":{"dst_addr":"","dst_port":0,"family":"","protocol":"","src_addr":"","src_port":0},)"
        R"("process":{"binary":")"
        "\xef\xbf\xbd"
        R"(","binary_b64":"/w==","pid":1},"type":"process_exec"})");
}

TEST_CASE("property: a hostile line the decoder accepts writes back to a line of the same Event") {
  const std::string lines[] = {
      R"({"type":"net_connect","net":{"bytes_sent":5,"datagrams":1,"duration_ns":3,"dst_port":65535},"seq":0,"time":null})",
      R"({"type":"net_udp","net":{}})",
      R"({"type":"process_exec","process":{"pid":1,"pid":2,"args":["a"],"args":null,"cwd":"\u0000","container":"x","container":{"id":"y"}}})",
      R"({"type":"process_exec","process":{"args":["a","b"],"args_b64":[null,"/w=="],"binary":"x","binary_b64":"!!","cwd_b64":"/w=="}})",
      R"({"type":"process_exec","process":{"args":["a"],"args_b64":["/w==","/w=="]},"invalid_utf8":false})",
      R"({"type":"process_exec","process":{"pid":1,"cwd_b64":"/w==","binary_b64":"/w=="}})",
      R"({"type":"process_exec","env":{"_b64":"v","A\"B":"\u001f","Z":"1","A":"2","A":"3","B_b64":"/w=="},"env_truncated":false,"stdio":{}})",
      R"({"type":"process_exec","stdio":{"stdout":{"net":{"src_port":1}}},"namespaces":{"pid":1}})",
      R"({"type":"process_exit","exit":{"code":-9223372036854775808,"signal":null,"core_dumped":false}})",
      R"({"type":"process_exit"})",
      R"({"type":"file_open"})",
      R"({"type":"file_change","file":{"mode":[],"mode_b64":["/w=="],"writers":[{}],"owner":{},"op":"x","op_b64":"/w=="}})",
      R"({"type":"dns_answer","dns":{"answers":[{"data":null},{}],"name":"a","name_b64":"/w==","truncated":false}})",
      R"({"type":"priv_syscall","priv":{"args":{"x":[1.5,-0.0,1e300,"\u007f\u0001"],"y":{}},"result":-5,"z":null}})",
      R"({"type":"priv_syscall","priv":{}})",
      R"({"type":"priv_syscall","1typepriv":{"syscall":"setns"}})",  // found by the fuzzer: no priv object
      R"({"type":"capability","capability":null})",
      R"({"type":"capability","capability":{"name":"\ud83d\ude00","cap":1,"granted":false,"count":0,"n":[true]}})",
      R"({"type":"lost","lost_type":"","count":0,"attempts":null,"object":"\u00ff"})",
      R"({"type":"finding","finding":{"exec_ids":[],"evidence":[],"title":"t","title_b64":"/w=="}})",
      R"({"type":"job_identity","job":null,"revealed_by":null})",
      R"({"type":"job_identity","job":{"B":"\n","A_b64":"/w==","A":"a"},"mismatch":false,"reason":"r"})",
      R"({"type":"family_missing","process":{}})",
      R"({"type":"","invalid_utf8":true,"process":{"args_unreadable":true,"cwd_truncated":false}})",
      R"({})",
      R"({"type":"job_identity","type":"A","job":{}})",  // found by the fuzzer: a second type
      R"({"type":"A","type":"lost","count":1})",
  };
  for (const auto& line : lines) {
    INFO(line);
    const auto first = decoded(line);
    const auto once = written(first);
    INFO(once);
    auto again = decoded(once);
    // A sibling can give a string that is not UTF-8 to a line that did not say so.
    CHECK((again.invalid_utf8 || !first.invalid_utf8));
    again.invalid_utf8 = first.invalid_utf8;
    CHECK(again == first);
    CHECK(written(decoded(once)) == once);  // a written line is written back as it is
    if (!first.get<event::Priv>() && !first.get<event::Capability>())  // kept as the line had them
      CHECK(json::parse(once).dump() == once);                          // keys and escapes as nlohmann's
  }
}
