#pragma once
// Archive lines as the real decoders and the archive writer's rule make them, for the tests of
// the typed event reader (event_decoder_test.cpp) and writer (event_writer_test.cpp).
#include <doctest/doctest.h>

#include <arpa/inet.h>

#include <string>

#include <nlohmann/json.hpp>

#include "bpf/events/net.h"
#include "bpf/events/priv.h"
#include "bpf/events/process.h"
#include "trail/dns/name_table.hpp"
#include "trail/dns/tcp_stream.hpp"
#include "trail/event/decoder.hpp"
#include "trail/event/writer.hpp"
#include "trail/events/net_decode.hpp"
#include "trail/text/exact_bytes.hpp"
#include "tests/unit/exec_record_bytes.hpp"

namespace event_lines {

using nlohmann::json;
using namespace jobtrail;
using namespace std::string_literals;

// The archive line of `ev`, by the archive writer's rule (trail/archive/writer.cpp,
// serialize_event): seq and time added, strings that are not UTF-8 in their byte-preserving form.
inline std::string archive_line(json ev, std::uint64_t seq = 5) {
  ev.erase("ktime_ns");
  ev["seq"] = seq;
  if (!ev.contains("time")) ev["time"] = "2026-11-29T00:00:01.000000001Z";
  try {
    return ev.dump();
  } catch (const json::type_error&) {
    text::preserve_exact_bytes(ev);
    return ev.dump(-1, ' ', false, json::error_handler_t::replace);
  }
}

inline event::Event decoded(const std::string& line) {
  event::Decoder d;
  event::Event e;
  const bool ok = d.decode(line, e);
  INFO(d.first_error());
  REQUIRE(ok);
  CHECK(d.errors() == 0);
  return e;
}

inline std::string exec_record(const std::string& binary, const std::string& cwd, const std::string& env, const std::string& args,
                        std::uint32_t flags) {
  process_exec_event e{};
  e.hdr.type = JT_EV_PROCESS_EXEC;
  e.hdr.pid = 100;
  e.hdr.tid = 100;
  e.hdr.exec_id = 7;
  e.hdr.cgroup_id = 99999;
  e.parent_exec_id = 3;
  e.ppid = 99;
  e.old_tid = 101;  // exec from a non-main thread
  e.uid = 1001;
  e.gid = 1002;
  e.euid = 0;
  e.egid = 4294967295u;
  e.ns_pid = 1;
  e.ns_ppid = 0;
  e.stdin_ino = 4242;
  e.stdout_ino = 4343;
  e.ns_inum[JT_NS_MNT] = 4026531840ull;
  e.ns_inum[JT_NS_USER] = 4026531837ull;
  e.flags = flags;
  return exec_record_bytes(e, binary, cwd, env, args);
}

inline jt_flow v4_flow(const char* src, unsigned sport, const char* dst, unsigned dport, unsigned proto) {
  jt_flow f{};
  inet_pton(AF_INET, src, f.src);
  inet_pton(AF_INET, dst, f.dst);
  f.src_port = static_cast<__u16>(sport);
  f.dst_port = static_cast<__u16>(dport);
  f.family = JT_AF_INET;
  f.protocol = static_cast<__u8>(proto);
  return f;
}

template <typename T>
void header(T& e, unsigned type) {
  e.hdr.type = type;
  e.hdr.size = sizeof(T);
  e.hdr.pid = 42;
  e.hdr.tid = 43;
  e.hdr.exec_id = 7;
  e.hdr.cgroup_id = 5;
}

inline json net_event(const void* record, std::size_t size) {
  dns::NameTable names;
  dns::TcpStreams tcp;
  std::string why;
  auto j = events::decode_net_record(record, size, names, tcp, &why);
  REQUIRE(j);
  return *j;
}

// The writer's line of `e`.
inline std::string written(const event::Event& e) {
  std::string out;
  event::write_line(e, out);
  return out;
}

// The Event of `line`, after checking that the writer gives `line` back byte for byte.
inline event::Event rewritten(const std::string& line) {
  auto e = decoded(line);
  CHECK(written(e) == line);
  return e;
}

}  // namespace event_lines
