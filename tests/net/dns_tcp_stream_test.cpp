// DNS over TCP: splitting length-prefixed messages and reassembling them across segments
// (trail/dns/tcp_stream.hpp), and the net decoder's events for TCP port-53 segments (pure).
#include <arpa/inet.h>

#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "bpf/events/net.h"
#include "trail/dns/message.hpp"
#include "trail/dns/tcp_stream.hpp"
#include "trail/events/net_decode.hpp"

using namespace jobtrail;
using Bytes = std::vector<std::uint8_t>;

namespace {

void put16(Bytes& b, unsigned v) {
  b.push_back(v >> 8);
  b.push_back(v & 0xff);
}

// A query (an == 0) or a response with `an` A records 10.0.0.1.. for `name`.
Bytes message(unsigned id, const std::string& name, unsigned qtype, unsigned an) {
  Bytes b;
  for (unsigned v : {id, an ? 0x8180u : 0x0100u, 1u, an, 0u, 0u}) put16(b, v);
  std::size_t start = 0;
  while (start < name.size()) {
    auto dot = std::min(name.find('.', start), name.size());
    b.push_back(static_cast<std::uint8_t>(dot - start));
    b.insert(b.end(), name.begin() + start, name.begin() + dot);
    start = dot + 1;
  }
  b.push_back(0);
  put16(b, qtype);
  put16(b, 1);
  for (unsigned i = 0; i < an; ++i) {
    for (unsigned v : {0xc00cu, 1u, 1u, 0u, 60u, 4u}) put16(b, v);
    for (unsigned o : {10u, 0u, 0u, 1u + i}) b.push_back(o);
  }
  return b;
}

Bytes prefixed(const Bytes& m) {
  Bytes b;
  put16(b, m.size());
  b.insert(b.end(), m.begin(), m.end());
  return b;
}

Bytes operator+(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::string qname(const dns::TcpStreams::Piece& p) { return dns::parse_message(p.bytes).message.qname; }

}  // namespace

TEST_CASE("dns tcp: two messages in one segment and a cut one at its end") {
  Bytes a = message(1, "a.test", 1, 0), aaaa = message(2, "a.test", 28, 0);
  Bytes seg = prefixed(a) + prefixed(aaaa);
  auto s = dns::split_tcp_messages(seg);
  REQUIRE(s.messages.size() == 2);
  CHECK(s.consumed == seg.size());
  CHECK(Bytes(s.messages[1].begin(), s.messages[1].end()) == aaaa);
  Bytes cut(seg.begin(), seg.end() - 3);
  s = dns::split_tcp_messages(cut);
  CHECK(s.messages.size() == 1);
  CHECK(s.consumed == a.size() + 2);
  CHECK(dns::split_tcp_messages(Bytes{0}).consumed == 0);
}

TEST_CASE("dns tcp streams: a length written apart from its message") {
  dns::TcpStreams streams;
  Bytes m = message(7, "split.test", 1, 0);
  Bytes len(2);
  len[0] = m.size() >> 8;
  len[1] = m.size() & 0xff;
  auto fed = streams.feed("c->s", len, true);
  CHECK(fed.messages.empty());
  CHECK(fed.error.empty());
  CHECK(streams.streams() == 1);
  // another direction of the connection does not mix in
  auto other = streams.feed("s->c", prefixed(message(7, "other.test", 1, 1)), true);
  REQUIRE(other.messages.size() == 1);
  CHECK(qname(other.messages[0]) == "other.test");
  fed = streams.feed("c->s", m, true);
  REQUIRE(fed.messages.size() == 1);
  CHECK(fed.messages[0].bytes == m);
  CHECK_FALSE(fed.messages[0].cut);
  CHECK(streams.streams() == 0);
}

TEST_CASE("dns tcp streams: a message over two segments then two at once") {
  dns::TcpStreams streams;
  Bytes all = prefixed(message(1, "one.test", 1, 2)) + prefixed(message(2, "two.test", 1, 1)) +
              prefixed(message(3, "three.test", 28, 0));
  auto first = streams.feed("k", Bytes(all.begin(), all.begin() + 20), true);
  CHECK(first.messages.empty());
  auto rest = streams.feed("k", Bytes(all.begin() + 20, all.end()), true);
  REQUIRE(rest.messages.size() == 3);
  CHECK(qname(rest.messages[0]) == "one.test");
  CHECK(dns::parse_message(rest.messages[0].bytes).message.answers.size() == 2);
  CHECK(qname(rest.messages[2]) == "three.test");
}

TEST_CASE("dns tcp streams: a segment cut by the capture keeps nothing and says so") {
  dns::TcpStreams streams;
  Bytes m = prefixed(message(1, "big.test", 1, 3));
  auto fed = streams.feed("k", Bytes(m.begin(), m.end() - 8), false);
  REQUIRE(fed.messages.size() == 1);
  CHECK(fed.messages[0].cut);
  CHECK(fed.error == "tcp segment cut by the capture limit");
  CHECK(streams.streams() == 0);
  auto parsed = dns::parse_message(fed.messages[0].bytes);
  CHECK(parsed.message.qname == "big.test");
  CHECK(parsed.message.answers.size() == 2);  // the third was cut
}

TEST_CASE("dns tcp streams: bounded pending bytes and streams") {
  dns::TcpStreams streams(2, 64);
  Bytes m = prefixed(message(1, "long-name-to-exceed-the-small-limit.example.test", 1, 4));
  auto fed = streams.feed("k", Bytes(m.begin(), m.begin() + 70), true);
  REQUIRE(fed.messages.size() == 1);
  CHECK(fed.messages[0].cut);
  CHECK(fed.error == "tcp message longer than 64 bytes of reassembly");
  CHECK(streams.streams() == 0);
  for (const char* k : {"a", "b", "c"}) streams.feed(k, Bytes{0, 40, 1}, true);
  CHECK(streams.streams() == 2);
  CHECK(streams.evicted() == 1);
  // "a" was evicted: these bytes start a new (0xffff-long) message instead of completing it
  CHECK(streams.feed("a", Bytes(39, 0xff), true).messages.empty());
  CHECK(streams.feed("c", Bytes(39, 0xff), true).messages.size() == 1);  // "c" was kept
}

namespace {

std::unique_ptr<dns_packet_event> tcp_segment(const Bytes& payload, bool ingress) {
  auto e = std::make_unique<dns_packet_event>();
  e->hdr.type = JT_EV_DNS_PACKET;
  e->hdr.size = sizeof(*e);
  e->hdr.pid = 42;
  e->hdr.exec_id = 7;
  jt_flow f{};
  inet_pton(AF_INET, ingress ? "127.0.0.53" : "127.0.0.1", f.src);
  inet_pton(AF_INET, ingress ? "127.0.0.1" : "127.0.0.53", f.dst);
  f.src_port = ingress ? 53 : 40000;
  f.dst_port = ingress ? 40000 : 53;
  f.family = JT_AF_INET;
  f.protocol = JT_PROTO_TCP;
  e->flow = f;
  e->flags = ingress ? JT_DNS_INGRESS : 0;
  e->packet_len = payload.size();
  e->captured_len = std::min<std::size_t>(payload.size(), JT_DNS_CAPTURE);
  std::memcpy(e->data, payload.data(), e->captured_len);
  return e;
}

}  // namespace

TEST_CASE("net decode: tcp dns segments give one event per message") {
  dns::NameTable names;
  dns::TcpStreams streams;
  std::string why;
  auto q = tcp_segment(prefixed(message(1, "tcp.test", 1, 0)) + prefixed(message(2, "tcp.test", 28, 0)), false);
  auto j = events::decode_net_record(q.get(), sizeof(*q), names, streams, &why);
  REQUIRE(j);
  REQUIRE(j->is_array());
  REQUIRE(j->size() == 2);
  CHECK((*j)[0]["type"] == "dns_query");
  CHECK((*j)[0]["dns"]["name"] == "tcp.test");
  CHECK((*j)[0]["dns"]["transport"] == "tcp");
  CHECK((*j)[1]["dns"]["qtype"] == "AAAA");
  CHECK((*j)[1]["dns"]["server"] == "127.0.0.53:53");

  Bytes answer = prefixed(message(1, "tcp.test", 1, 2));
  auto a1 = tcp_segment(Bytes(answer.begin(), answer.begin() + 2), true);
  j = events::decode_net_record(a1.get(), sizeof(*a1), names, streams, &why);
  REQUIRE(j);
  CHECK(*j == nlohmann::json::array());  // only the length so far
  auto a2 = tcp_segment(Bytes(answer.begin() + 2, answer.end()), true);
  j = events::decode_net_record(a2.get(), sizeof(*a2), names, streams, &why);
  REQUIRE(j);
  REQUIRE(j->is_object());
  CHECK((*j)["type"] == "dns_answer");
  CHECK((*j)["dns"]["answers"].size() == 2);
  CHECK((*j)["dns"]["answers"][1]["data"] == "10.0.0.2");
  CHECK(names.lookup("10.0.0.2") == "tcp.test");
}

TEST_CASE("net decode: a tcp dns segment cut by the capture is marked, not dropped") {
  dns::NameTable names;
  dns::TcpStreams streams;
  std::string why;
  Bytes answer = prefixed(message(9, "cut.test", 1, 3));
  auto e = tcp_segment(Bytes(answer.begin(), answer.end() - 8), true);
  e->packet_len = answer.size();  // the kernel saw the whole segment, captured less
  auto j = events::decode_net_record(e.get(), sizeof(*e), names, streams, &why);
  REQUIRE(j);
  REQUIRE(j->is_object());
  CHECK((*j)["dns"]["error"] == "answer: truncated record header (tcp segment cut by the capture limit)");
  CHECK((*j)["dns"]["malformed"] == true);
  CHECK((*j)["dns"]["truncated_capture"] == true);
  CHECK((*j)["dns"]["answers"].size() == 2);  // what was captured still counts
  CHECK(names.lookup("10.0.0.2") == "cut.test");
  CHECK(streams.streams() == 0);
}
