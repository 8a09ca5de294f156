#pragma once
// A DNS message decoder (RFC 1035 wire format; AAAA from RFC 3596) for what the trail needs:
// the question (name, type), the response code and the A/AAAA/CNAME answers. Pure: bytes in,
// struct out. Malformed or truncated input never crashes or reads out of bounds; it yields
// an error text ("truncated header", "compression loop", ...) and whatever was decoded before.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace jobtrail::dns {

struct Answer {
  std::string name;   // owner name of the record
  std::uint16_t type = 0;
  std::uint32_t ttl = 0;
  std::string data;   // A/AAAA: address text; CNAME: target name; other types: ""
};

struct Message {
  std::uint16_t id = 0;
  bool response = false;        // QR bit
  bool truncated = false;       // TC bit: the server cut the answer (retry over TCP follows)
  std::uint8_t rcode = 0;
  std::string qname;            // first question ("" when there is none)
  std::uint16_t qtype = 0;
  std::uint16_t question_count = 0;
  std::vector<Answer> answers;  // answer section, A/AAAA/CNAME and others (data "" for others)
};

struct ParseResult {
  Message message;     // what could be decoded
  std::string error;   // empty when the whole message decoded; else why it stopped
  bool ok() const { return error.empty(); }
};

// Decodes one DNS message (UDP payload, or a TCP message without its 2-byte length prefix).
ParseResult parse_message(std::span<const std::uint8_t> bytes);

// "A", "AAAA", "CNAME", ... or "TYPE<n>" (RFC 3597 style) for the rest.
std::string type_name(std::uint16_t type);
// "NOERROR", "NXDOMAIN", ... or "RCODE<n>".
std::string rcode_name(std::uint8_t rcode);

}  // namespace jobtrail::dns
