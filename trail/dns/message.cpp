// DNS wire-format decoding with bounds checks on every read (see message.hpp).
#include "trail/dns/message.hpp"

#include <arpa/inet.h>

#include <array>

namespace jobtrail::dns {
namespace {

constexpr std::size_t kHeaderSize = 12;
constexpr std::size_t kMaxNameLength = 255;   // RFC 1035 2.3.4, wire length
constexpr int kMaxPointerJumps = 64;          // more than any legal name needs; stops loops
constexpr std::size_t kMaxAnswers = 256;      // bound the work a hostile packet can cause

struct Cursor {
  std::span<const std::uint8_t> bytes;
  std::size_t pos = 0;
  bool has(std::size_t n) const { return pos <= bytes.size() && bytes.size() - pos >= n; }
  std::uint16_t u16() {
    std::uint16_t v = static_cast<std::uint16_t>(bytes[pos] << 8 | bytes[pos + 1]);
    pos += 2;
    return v;
  }
  std::uint32_t u32() {
    std::uint32_t hi = u16();
    return hi << 16 | u16();
  }
};

void append_label(std::string& out, std::span<const std::uint8_t> label) {
  if (!out.empty()) out += '.';
  for (std::uint8_t c : label) {
    if (c == '.' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x21 || c > 0x7e) {  // keep names printable and on one line
      static const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
}

// Reads a possibly compressed name at cur.pos; advances cur past it. Returns error text or "".
std::string read_name(Cursor& cur, std::string& out) {
  out.clear();
  std::size_t pos = cur.pos;
  std::size_t wire_length = 0;
  int jumps = 0;
  bool jumped = false;
  for (;;) {
    if (pos >= cur.bytes.size()) return "truncated name";
    std::uint8_t len = cur.bytes[pos];
    if ((len & 0xc0) == 0xc0) {
      if (pos + 1 >= cur.bytes.size()) return "truncated name pointer";
      std::size_t target = static_cast<std::size_t>(len & 0x3f) << 8 | cur.bytes[pos + 1];
      if (!jumped) cur.pos = pos + 2;
      jumped = true;
      if (++jumps > kMaxPointerJumps) return "compression loop";
      if (target >= pos) return "forward compression pointer";  // only backward pointers are legal
      pos = target;
      continue;
    }
    if ((len & 0xc0) != 0) return "bad label type";
    if (len == 0) {
      if (!jumped) cur.pos = pos + 1;
      return {};
    }
    if (pos + 1 + len > cur.bytes.size()) return "truncated label";
    wire_length += len + 1;
    if (wire_length > kMaxNameLength) return "name too long";
    append_label(out, cur.bytes.subspan(pos + 1, len));
    pos += 1 + len;
  }
}

std::string address_text(int family, std::span<const std::uint8_t> raw) {
  std::array<char, INET6_ADDRSTRLEN> buf{};
  if (!inet_ntop(family, raw.data(), buf.data(), buf.size())) return {};
  return buf.data();
}

}  // namespace

ParseResult parse_message(std::span<const std::uint8_t> bytes) {
  ParseResult r;
  Cursor cur{bytes};
  if (!cur.has(kHeaderSize)) {
    r.error = "truncated header";
    return r;
  }
  Message& m = r.message;
  m.id = cur.u16();
  std::uint16_t flags = cur.u16();
  m.response = flags & 0x8000;
  m.truncated = flags & 0x0200;
  m.rcode = flags & 0x000f;
  m.question_count = cur.u16();
  std::uint16_t answer_count = cur.u16();
  cur.pos += 4;  // authority and additional counts: not needed

  for (std::uint16_t i = 0; i < m.question_count; ++i) {
    std::string name;
    if (auto e = read_name(cur, name); !e.empty()) {
      r.error = "question: " + e;
      return r;
    }
    if (!cur.has(4)) {
      r.error = "question: truncated type/class";
      return r;
    }
    std::uint16_t qtype = cur.u16();
    cur.pos += 2;  // class
    if (i == 0) {
      m.qname = std::move(name);
      m.qtype = qtype;
    }
  }

  for (std::uint16_t i = 0; i < answer_count; ++i) {
    if (i >= kMaxAnswers) {
      r.error = "too many answers";
      return r;
    }
    Answer a;
    if (auto e = read_name(cur, a.name); !e.empty()) {
      r.error = "answer: " + e;
      return r;
    }
    if (!cur.has(10)) {
      r.error = "answer: truncated record header";
      return r;
    }
    a.type = cur.u16();
    cur.pos += 2;  // class
    a.ttl = cur.u32();
    std::uint16_t rdlength = cur.u16();
    if (!cur.has(rdlength)) {
      r.error = "answer: truncated rdata";
      return r;
    }
    auto rdata = bytes.subspan(cur.pos, rdlength);
    if (a.type == 1) {
      if (rdlength != 4) {
        r.error = "answer: A record of length " + std::to_string(rdlength);
        return r;
      }
      a.data = address_text(AF_INET, rdata);
    } else if (a.type == 28) {
      if (rdlength != 16) {
        r.error = "answer: AAAA record of length " + std::to_string(rdlength);
        return r;
      }
      a.data = address_text(AF_INET6, rdata);
    } else if (a.type == 5) {
      // The target may point back into the whole message, so decode with the full span but
      // require it to end inside rdata.
      Cursor target{bytes, cur.pos};
      if (auto e = read_name(target, a.data); !e.empty()) {
        r.error = "answer: cname " + e;
        return r;
      }
      if (target.pos > cur.pos + rdlength) {
        r.error = "answer: cname overruns rdata";
        return r;
      }
    }
    cur.pos += rdlength;
    m.answers.push_back(std::move(a));
  }
  return r;
}

std::string type_name(std::uint16_t type) {
  switch (type) {
    case 1: return "A";
    case 2: return "NS";
    case 5: return "CNAME";
    case 6: return "SOA";
    case 12: return "PTR";
    case 15: return "MX";
    case 16: return "TXT";
    case 28: return "AAAA";
    case 33: return "SRV";
    case 64: return "SVCB";
    case 65: return "HTTPS";
    case 255: return "ANY";
  }
  return "TYPE" + std::to_string(type);
}

std::string rcode_name(std::uint8_t rcode) {
  static const char* names[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"};
  if (rcode < 6) return names[rcode];
  return "RCODE" + std::to_string(rcode);
}

}  // namespace jobtrail::dns
