#pragma once
// Pure decoding of the net and dns families' raw records (bpf/events/net.h) into schema-v1
// JSON (docs/schema.md). DNS payloads are parsed here (trail/dns); every A/AAAA answer is
// learned into the name table, which then annotates later connections (`dst_name`).
#include <cstddef>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "trail/dns/name_table.hpp"
#include "trail/dns/tcp_stream.hpp"

struct jt_flow;

namespace jobtrail::events {

// "127.0.0.1" / "::1" from a record's 16-byte address field.
std::string address_text(const unsigned char* addr16, unsigned family);

// Raw record -> JSON without "seq"/"time" ("ktime_ns" kept). nullopt + *why when too short
// or of an unknown type. DNS over TCP is reassembled across segments in `tcp_streams`
// (trail/dns/tcp_stream.hpp): a TCP port-53 segment yields one event per message it completes,
// so the result may be a JSON ARRAY (several messages, or none yet: an empty array).
std::optional<nlohmann::json> decode_net_record(const void* data, std::size_t size, dns::NameTable& names,
                                                dns::TcpStreams& tcp_streams, std::string* why);

}  // namespace jobtrail::events
