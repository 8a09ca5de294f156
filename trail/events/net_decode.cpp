#include "trail/events/net_decode.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <span>

#include "bpf/events/net.h"
#include "trail/dns/message.hpp"
#include "trail/dns/tcp_stream.hpp"
#include "trail/events/record_common.hpp"
#include "trail/events/types.hpp"

namespace jobtrail::events {
namespace {

using nlohmann::json;

template <typename T>
bool read_record(const void* data, std::size_t size, T& out, std::string* why) {
  if (size < sizeof(T)) {
    if (why) *why = "record of " + std::to_string(size) + " bytes, need " + std::to_string(sizeof(T));
    return false;
  }
  std::memcpy(&out, data, sizeof(T));
  return true;
}

std::string endpoint_text(const std::string& addr, unsigned port) {
  return (addr.find(':') != std::string::npos ? "[" + addr + "]" : addr) + ":" + std::to_string(port);
}

json flow_json(const jt_flow& f, const dns::NameTable& names) {
  json n;
  n["protocol"] = f.protocol == JT_PROTO_UDP ? "udp" : f.protocol == JT_PROTO_TCP ? "tcp" : "ip" + std::to_string(f.protocol);
  n["family"] = f.family == JT_AF_INET6 ? "ipv6" : "ipv4";
  n["src_addr"] = address_text(f.src, f.family);
  n["src_port"] = f.src_port;
  const std::string dst = address_text(f.dst, f.family);
  n["dst_addr"] = dst;
  n["dst_port"] = f.dst_port;
  if (auto name = names.lookup(dst); !name.empty()) n["dst_name"] = name;
  return n;
}

// One DNS message of a port-53 payload -> the `dns` object; learns answers into `names`.
json dns_json(const dns_packet_event& e, const dns::ParseResult& parsed, dns::NameTable& names, bool* is_answer) {
  const bool ingress = e.flags & JT_DNS_INGRESS;
  const std::uint32_t captured = std::min<std::uint32_t>(e.captured_len, JT_DNS_CAPTURE);
  const bool tcp = e.flow.protocol == JT_PROTO_TCP;
  const auto& m = parsed.message;
  json d;
  d["id"] = m.id;
  d["name"] = m.qname;
  d["qtype"] = dns::type_name(m.qtype);
  d["transport"] = tcp ? "tcp" : "udp";
  // the server: destination of a query, source of an answer
  d["server"] = ingress ? endpoint_text(address_text(e.flow.src, e.flow.family), e.flow.src_port)
                        : endpoint_text(address_text(e.flow.dst, e.flow.family), e.flow.dst_port);
  d["packet_bytes"] = e.packet_len;
  d["captured_bytes"] = captured;
  if (e.packet_len > captured) d["truncated_capture"] = true;
  if (!parsed.ok()) {
    d["error"] = parsed.error;
    d["malformed"] = true;
  }
  *is_answer = ingress || m.response;
  if (*is_answer) {
    d["rcode"] = dns::rcode_name(m.rcode);
    d["truncated"] = m.truncated;
    json answers = json::array();
    for (const auto& a : m.answers)
      answers.push_back({{"name", a.name}, {"type", dns::type_name(a.type)}, {"ttl", a.ttl}, {"data", a.data}});
    d["answers"] = std::move(answers);
    if (m.response) names.learn(m);
  }
  return d;
}

json dns_event(const event_header& h, const dns_packet_event& e, const dns::ParseResult& parsed, dns::NameTable& names) {
  bool answer = false;
  json d = dns_json(e, parsed, names, &answer);
  json j = header_json(h, answer ? events::type_name::dns_answer : events::type_name::dns_query);
  j["dns"] = std::move(d);
  return j;
}

// DNS over TCP: the messages this segment completes (several, one, or none while a message
// is still incomplete), one event each; an array unless exactly one.
json tcp_dns_events(const event_header& h, const dns_packet_event& e, std::span<const std::uint8_t> bytes,
                    dns::NameTable& names, dns::TcpStreams& streams) {
  const std::string key(reinterpret_cast<const char*>(&e.flow), sizeof(e.flow));  // one direction of one connection
  auto fed = streams.feed(key, bytes, e.packet_len <= bytes.size());
  json out = json::array();
  for (const auto& piece : fed.messages) {
    auto parsed = dns::parse_message(piece.bytes);
    if (piece.cut) parsed.error = (parsed.ok() ? std::string("truncated tcp message") : parsed.error) + " (" + fed.error + ")";
    out.push_back(dns_event(h, e, parsed, names));
  }
  if (out.empty() && !fed.error.empty()) {  // nothing decodable, but bytes were given up: say so
    dns::ParseResult r;
    r.error = fed.error;
    out.push_back(dns_event(h, e, r, names));
  }
  if (out.size() == 1) return out[0];
  return out;
}

}  // namespace

std::string address_text(const unsigned char* addr16, unsigned family) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (family == JT_AF_INET6) {
    inet_ntop(AF_INET6, addr16, buf, sizeof(buf));
  } else {
    inet_ntop(AF_INET, addr16, buf, sizeof(buf));
  }
  return buf;
}

std::optional<json> decode_net_record(const void* data, std::size_t size, dns::NameTable& names,
                                      dns::TcpStreams& tcp_streams, std::string* why) {
  event_header h{};
  if (!read_record(data, size, h, why)) return std::nullopt;
  switch (h.type) {
    case JT_EV_NET_CONNECT:
    case JT_EV_NET_ACCEPT: {
      net_conn_event e{};
      if (!read_record(data, size, e, why)) return std::nullopt;
      const bool accept = h.type == JT_EV_NET_ACCEPT;
      json j = header_json(h, accept ? events::type_name::net_accept : events::type_name::net_connect);
      json n = flow_json(e.flow, names);
      n["result"] = result_text(e.result);
      if (e.result >= 0 && accept) n["fd"] = e.result;
      j["net"] = std::move(n);
      return j;
    }
    case JT_EV_NET_CLOSE: {
      net_close_event e{};
      if (!read_record(data, size, e, why)) return std::nullopt;
      json j = header_json(h, events::type_name::net_close);
      json n = flow_json(e.flow, names);
      n["bytes_sent"] = e.bytes_sent;
      n["bytes_received"] = e.bytes_received;
      n["duration_ns"] = e.duration_ns;
      n["direction"] = (e.flags & JT_CLOSE_INCOMING) ? "incoming" : "outgoing";
      j["net"] = std::move(n);
      return j;
    }
    case JT_EV_NET_UDP: {
      net_udp_event e{};
      if (!read_record(data, size, e, why)) return std::nullopt;
      json j = header_json(h, events::type_name::net_udp);
      json n = flow_json(e.flow, names);
      n["datagrams"] = e.datagrams;
      n["bytes"] = e.bytes;
      j["net"] = std::move(n);
      return j;
    }
    case JT_EV_DNS_PACKET: {
      auto e = std::make_unique<dns_packet_event>();
      if (!read_record(data, size, *e, why)) return std::nullopt;
      std::span<const std::uint8_t> bytes(e->data, std::min<std::uint32_t>(e->captured_len, JT_DNS_CAPTURE));
      if (e->flow.protocol == JT_PROTO_TCP) return tcp_dns_events(h, *e, bytes, names, tcp_streams);
      return dns_event(h, *e, dns::parse_message(bytes), names);
    }
    default:
      if (why) *why = "unknown net record type " + std::to_string(h.type);
      return std::nullopt;
  }
}

}  // namespace jobtrail::events
