// Segment files: zstd lines written and streamed back, digests, damage and truncation.
#include <doctest/doctest.h>

#include <cstdint>
#include <fstream>
#include <sstream>

#include "test_support.hpp"
#include "trail/archive/line_reader.hpp"
#include "trail/archive/segment_file.hpp"
#include "trail/archive/sha256.hpp"

using namespace jobtrail::archive;
using archive_test::TempDir;

namespace {
std::string read_all(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
}  // namespace

TEST_CASE("sha256 matches a known vector") {
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("a sealed segment streams back line by line with the digest it was sealed with") {
  TempDir tmp("seg");
  auto path = tmp.path / "s.zst";
  SegmentFile f(path, 3);
  for (int i = 0; i < 20000; ++i) f.append("line " + std::to_string(i) + "\n");
  auto sealed = f.seal();
  auto bytes = read_all(path);
  CHECK(sealed.size == bytes.size());
  CHECK(sealed.sha256 == sha256_hex(bytes));

  std::istringstream in(bytes);
  LineReader r(in);
  std::string line;
  int n = 0;
  while (r.next(line)) {
    REQUIRE(line == "line " + std::to_string(n));
    ++n;
  }
  CHECK(n == 20000);
  CHECK(r.error().empty());
  CHECK(r.sha256_hex() == sealed.sha256);
}

TEST_CASE("a truncated segment yields its complete lines, then says it was cut") {
  TempDir tmp("trunc");
  auto path = tmp.path / "s.zst";
  SegmentFile f(path, 3);
  for (int i = 0; i < 5000; ++i) f.append("event " + std::to_string(i) + "\n");
  f.seal();
  auto bytes = read_all(path);
  std::istringstream in(bytes.substr(0, bytes.size() - 10));
  LineReader r(in);
  std::string line;
  int n = 0;
  while (r.next(line)) ++n;
  CHECK(n < 5000);
  CHECK_FALSE(r.error().empty());
}

TEST_CASE("a flipped byte changes the digest the manifest holds") {
  TempDir tmp("flip");
  auto path = tmp.path / "s.zst";
  SegmentFile f(path, 3);
  for (int i = 0; i < 5000; ++i) f.append("event " + std::to_string(i) + "\n");
  auto sealed = f.seal();
  auto bytes = read_all(path);
  bytes[bytes.size() / 2] ^= 0x01;
  std::istringstream in(bytes);
  LineReader r(in);
  std::string line;
  while (r.next(line)) {
  }
  CHECK(r.sha256_hex() != sealed.sha256);
  CHECK(r.compressed_bytes() == bytes.size());
}

namespace {
struct Decoded {
  std::string text, error;
};
Decoded decode(const std::string& bytes) {
  std::istringstream in(bytes);
  LineReader r(in);
  Decoded d;
  for (std::string line; r.next(line);) d.text += line + "\n";
  d.error = r.error();
  return d;
}
}  // namespace

// zstd's content checksum (XXH64 of the decoded bytes, the frame's last 4 bytes) is what tells
// a reader without the manifest that a segment decoded to something else than was written.
TEST_CASE("zstd's content checksum makes every damaged segment fail to decode") {
  TempDir tmp("checksum");
  auto path = tmp.path / "s.zst";
  SegmentFile f(path, 3);
  std::string written;
  std::uint32_t x = 12345;
  for (int i = 0; i < 300; ++i) {  // varied text, so literals are stored and a flip can decode
    x = x * 1103515245u + 12345u;
    written += "event " + std::to_string(i) + " " + std::to_string(x) + "\n";
  }
  f.append(written);
  f.seal();
  const auto bytes = read_all(path);
  REQUIRE(decode(bytes).text == written);
  REQUIRE(decode(bytes).error.empty());

  SUBCASE("a flip in the stored checksum itself") {
    auto damaged = bytes;
    damaged[damaged.size() - 2] ^= 0x01;
    auto d = decode(damaged);
    CHECK_MESSAGE(d.error.find("checksum") != std::string::npos, d.error);
  }
  SUBCASE("no single flipped bit past the frame header decodes to other lines without an error") {
    const std::size_t header = 18;  // ZSTD_FRAMEHEADERSIZE_MAX: a window-size flip there decodes alike
    int failed = 0, silent = 0;
    for (std::size_t i = header; i < bytes.size(); ++i) {
      auto damaged = bytes;
      damaged[i] ^= 0x10;
      auto d = decode(damaged);
      if (!d.error.empty()) ++failed;
      else if (d.text != written) ++silent;
    }
    CHECK(silent == 0);
    CHECK(failed > static_cast<int>(bytes.size() - header) / 2);
  }
}
