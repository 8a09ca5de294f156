// Segment files: zstd lines written and streamed back, digests, damage and truncation.
#include <doctest/doctest.h>

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

TEST_CASE("a flipped byte is caught by zstd's checksum or the digest") {
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
