#pragma once
// The `net` object of net_connect, net_accept, net_close and net_udp (docs/schema.md,
// "Network"). A field a type does not carry keeps its zero value; `has_*` tell the optional ones.
#include <cstdint>
#include <optional>
#include <string>

namespace jobtrail::event {

// One connection's ends, as net_connect writes them (also a process_exec's stdio socket).
struct Flow {
  std::string protocol;  // "tcp", "udp", "ip<N>"
  std::string family;    // "ipv4", "ipv6"
  std::string src_addr;
  std::uint32_t src_port = 0;
  std::string dst_addr;
  std::uint32_t dst_port = 0;
  bool operator==(const Flow&) const = default;
};

struct Net {
  Flow flow;
  std::optional<std::string> dst_name;  // the DNS name this trail resolved dst_addr from
  std::optional<std::string> result;    // connect/accept: "ok", "EINPROGRESS", errno name
  std::optional<std::int64_t> fd;       // accept
  // net_close
  std::uint64_t bytes_sent = 0, bytes_received = 0, duration_ns = 0;
  std::optional<std::string> direction;  // "outgoing" | "incoming"
  // net_udp
  std::uint64_t datagrams = 0, bytes = 0;
  bool operator==(const Net&) const = default;
};

}  // namespace jobtrail::event
