#pragma once
// The `dns` object of dns_query and dns_answer (docs/schema.md, "DNS"). Names hold exact bytes.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace jobtrail::event {

struct DnsRecord {
  std::string name;
  std::string type;  // "A", "AAAA", "CNAME", ... "TYPE<n>"
  std::uint64_t ttl = 0;
  std::optional<std::string> data;  // address for A/AAAA, target for CNAME, "" for other types
  bool operator==(const DnsRecord&) const = default;
};

struct Dns {
  std::uint64_t id = 0;
  std::optional<std::string> name;
  std::optional<std::string> qtype, server, transport, error;
  std::uint64_t packet_bytes = 0, captured_bytes = 0;
  bool truncated_capture = false, malformed = false;
  // dns_answer
  std::optional<std::string> rcode;
  std::optional<bool> truncated;  // the TC bit
  std::optional<std::vector<DnsRecord>> answers;
  bool operator==(const Dns&) const = default;
};

}  // namespace jobtrail::event
