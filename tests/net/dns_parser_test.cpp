// Unit tests of the DNS decoder and the address->name table (pure, no I/O).
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "trail/dns/message.hpp"
#include "trail/dns/name_table.hpp"

using namespace jobtrail::dns;
using Bytes = std::vector<std::uint8_t>;

namespace {
void put16(Bytes& b, unsigned v) {
  b.push_back(v >> 8);
  b.push_back(v & 0xff);
}
void put_name(Bytes& b, const std::string& dotted) {
  std::size_t start = 0;
  while (start < dotted.size()) {
    auto dot = dotted.find('.', start);
    if (dot == std::string::npos) dot = dotted.size();
    b.push_back(static_cast<std::uint8_t>(dot - start));
    for (std::size_t i = start; i < dot; ++i) b.push_back(dotted[i]);
    start = dot + 1;
  }
  b.push_back(0);
}
Bytes header(unsigned id, unsigned flags, unsigned qd, unsigned an) {
  Bytes b;
  put16(b, id);
  put16(b, flags);
  put16(b, qd);
  put16(b, an);
  put16(b, 0);
  put16(b, 0);
  return b;
}
// www.example.test CNAME example.test (compressed), example.test A 10.1.2.3, AAAA 2001:db8::7
Bytes sample_response() {
  Bytes b = header(0x1234, 0x8180, 1, 3);
  put_name(b, "www.example.test");  // at offset 12; "example.test" at offset 16
  put16(b, 1);
  put16(b, 1);
  // CNAME
  put16(b, 0xc00c);
  put16(b, 5);
  put16(b, 1);
  put16(b, 0);
  put16(b, 300);
  put16(b, 2);
  put16(b, 0xc010);
  // A
  put16(b, 0xc010);
  put16(b, 1);
  put16(b, 1);
  put16(b, 0);
  put16(b, 60);
  put16(b, 4);
  for (int x : {10, 1, 2, 3}) b.push_back(x);
  // AAAA
  put16(b, 0xc010);
  put16(b, 28);
  put16(b, 1);
  put16(b, 0);
  put16(b, 60);
  put16(b, 16);
  Bytes v6 = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7};
  b.insert(b.end(), v6.begin(), v6.end());
  return b;
}
}  // namespace

TEST_CASE("dns: query decodes name and type") {
  Bytes q = header(7, 0x0100, 1, 0);
  put_name(q, "github.com");
  put16(q, 28);
  put16(q, 1);
  auto r = parse_message(q);
  CHECK(r.ok());
  CHECK_FALSE(r.message.response);
  CHECK(r.message.id == 7);
  CHECK(r.message.qname == "github.com");
  CHECK(type_name(r.message.qtype) == "AAAA");
}

TEST_CASE("dns: response with compressed CNAME, A and AAAA") {
  auto r = parse_message(sample_response());
  REQUIRE(r.ok());
  const auto& m = r.message;
  CHECK(m.response);
  CHECK(rcode_name(m.rcode) == "NOERROR");
  CHECK(m.qname == "www.example.test");
  REQUIRE(m.answers.size() == 3);
  CHECK(m.answers[0].type == 5);
  CHECK(m.answers[0].name == "www.example.test");
  CHECK(m.answers[0].data == "example.test");
  CHECK(m.answers[0].ttl == 300);
  CHECK(m.answers[1].data == "10.1.2.3");
  CHECK(m.answers[2].data == "2001:db8::7");
}

TEST_CASE("dns: nxdomain rcode") {
  Bytes b = header(9, 0x8183, 1, 0);
  put_name(b, "nope.test");
  put16(b, 1);
  put16(b, 1);
  auto r = parse_message(b);
  CHECK(r.ok());
  CHECK(rcode_name(r.message.rcode) == "NXDOMAIN");
  CHECK(rcode_name(11) == "RCODE11");
  CHECK(type_name(99) == "TYPE99");
}

TEST_CASE("dns: every truncation of a valid response is reported, never crashes") {
  Bytes full = sample_response();
  for (std::size_t n = 0; n < full.size(); ++n) {
    Bytes cut(full.begin(), full.begin() + n);
    auto r = parse_message(cut);
    CHECK_MESSAGE(!r.ok(), "length " << n);
  }
  CHECK(parse_message(Bytes(full.begin(), full.begin() + 5)).error == "truncated header");
}

TEST_CASE("dns: compression loop and forward pointer are errors") {
  Bytes loop = header(1, 0x0100, 1, 0);
  put16(loop, 0xc00c);  // points at itself
  put16(loop, 1);
  put16(loop, 1);
  CHECK(parse_message(loop).error == "question: forward compression pointer");

  Bytes two = header(1, 0x0100, 1, 0);
  two.push_back(1);
  two.push_back('a');
  put16(two, 0xc00c);  // back to the start of the name: a loop through a label
  put16(two, 1);
  put16(two, 1);
  CHECK(parse_message(two).error == "question: compression loop");
}

TEST_CASE("dns: bad label type, name too long, bad A length") {
  Bytes bad = header(1, 0x0100, 1, 0);
  bad.push_back(0x40);
  CHECK(parse_message(bad).error == "question: bad label type");

  Bytes longname = header(1, 0x0100, 1, 0);
  for (int i = 0; i < 5; ++i) {
    longname.push_back(63);
    longname.insert(longname.end(), 63, 'x');
  }
  longname.push_back(0);
  put16(longname, 1);
  put16(longname, 1);
  CHECK(parse_message(longname).error == "question: name too long");

  Bytes a = header(1, 0x8180, 1, 1);
  put_name(a, "x.test");
  put16(a, 1);
  put16(a, 1);
  put16(a, 0xc00c);
  put16(a, 1);
  put16(a, 1);
  put16(a, 0);
  put16(a, 1);
  put16(a, 3);
  a.insert(a.end(), {1, 2, 3});
  CHECK(parse_message(a).error == "answer: A record of length 3");
}

TEST_CASE("dns: unprintable label bytes are escaped") {
  Bytes q = header(1, 0x0100, 1, 0);
  q.insert(q.end(), {3, 'a', '\n', '.', 0});
  put16(q, 1);
  put16(q, 1);
  auto r = parse_message(q);
  CHECK(r.ok());
  CHECK(r.message.qname == "a\\x0a\\.");
}

TEST_CASE("dns: name table maps answers to the asked name, bounded") {
  NameTable t(2);
  auto r = parse_message(sample_response());
  t.learn(r.message);
  CHECK(t.lookup("10.1.2.3") == "www.example.test");
  CHECK(t.lookup("2001:db8::7") == "www.example.test");
  CHECK(t.lookup("10.9.9.9").empty());
  Message m;
  m.response = true;
  m.qname = "other.test";
  m.answers.push_back({"other.test", 1, 5, "10.9.9.9"});
  t.learn(m);
  CHECK(t.size() == 2);
  CHECK(t.dropped() == 1);
  CHECK(t.lookup("10.1.2.3").empty());  // oldest evicted
  CHECK(t.lookup("10.9.9.9") == "other.test");
  Message query = m;
  query.response = false;  // queries teach nothing
  query.qname = "evil.test";
  t.learn(query);
  CHECK(t.lookup("10.9.9.9") == "other.test");
}
