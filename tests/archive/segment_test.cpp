// Segment files: zstd lines written and streamed back, digests, damage and truncation.
#include <doctest/doctest.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <vector>

#include <zstd.h>

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

namespace {
// One zstd frame of `text`, fed in one piece with the size unknown (as the writer streams).
std::string compress(const std::string& text, int window_log = 0) {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
  if (window_log) ZSTD_CCtx_setParameter(cctx, ZSTD_c_windowLog, window_log);
  std::string out(ZSTD_compressBound(text.size()) + 64, '\0');
  ZSTD_inBuffer in{text.data(), text.size(), 0};
  ZSTD_outBuffer o{out.data(), out.size(), 0};
  ZSTD_compressStream2(cctx, &o, &in, ZSTD_e_continue);
  while (ZSTD_compressStream2(cctx, &o, &in, ZSTD_e_end) != 0) {
  }
  ZSTD_freeCCtx(cctx);
  out.resize(o.pos);
  return out;
}

struct Read {
  std::vector<std::string> lines;
  std::uint64_t overlong = 0;
  std::string error;
  std::size_t longest = 0;
};
Read read_lines(const std::string& bytes, LineLimits limits) {
  std::istringstream in(bytes);
  LineReader r(in, limits);
  Read out;
  for (std::string line; r.next(line);) {
    out.longest = std::max(out.longest, line.capacity());
    out.lines.push_back(line);
  }
  out.overlong = r.overlong_lines();
  out.error = r.error();
  return out;
}
}  // namespace

TEST_CASE("a line over the bound is skipped and counted, the lines around it are read") {
  LineLimits limits;
  limits.line_bytes = 1000;
  SUBCASE("between two lines, the bound itself still accepted") {
    const std::string text = "first\n" + std::string(1000, 'x') + "\n" + std::string(5u << 20, 'a') + "\nlast\n";
    auto r = read_lines(compress(text), limits);
    REQUIRE(r.lines.size() == 3);
    CHECK(r.lines[0] == "first");
    CHECK(r.lines[1] == std::string(1000, 'x'));
    CHECK(r.lines[2] == "last");
    CHECK(r.overlong == 1);
    CHECK(r.error.empty());
  }
  SUBCASE("one byte over, arriving whole in one decompressed block") {
    auto r = read_lines(compress(std::string(1001, 'x') + "\nnext\n"), limits);
    REQUIRE(r.lines.size() == 1);
    CHECK(r.lines[0] == "next");
    CHECK(r.overlong == 1);
  }
  SUBCASE("the last line, without a newline: counted once, not held") {
    auto r = read_lines(compress("a\n" + std::string(16u << 20, 'a')), limits);
    CHECK(r.lines == std::vector<std::string>{"a"});
    CHECK(r.overlong == 1);
    CHECK(r.error.empty());
  }
  SUBCASE("many in a row") {
    std::string text;
    for (int i = 0; i < 50; ++i) text += std::string(3000 + i, 'b') + "\n" + std::to_string(i) + "\n";
    auto r = read_lines(compress(text), limits);
    CHECK(r.lines.size() == 50);
    CHECK(r.overlong == 50);
    CHECK(r.lines.back() == "49");
  }
}

TEST_CASE("the default bound skips a line of tens of MiB without holding it") {
  // 48 MiB of 'a' compresses to a few KiB; the reader must not keep it as one string.
  const std::string text = "x\n" + std::string(48u << 20, 'a') + "\ny\n";
  const auto bytes = compress(text);
  CHECK(bytes.size() < (1u << 20));
  auto r = read_lines(bytes, {});
  CHECK(r.lines == std::vector<std::string>{"x", "y"});
  CHECK(r.overlong == 1);
  CHECK(r.longest <= max_line_bytes);
}

TEST_CASE("a segment that decompresses to more than its text bound stops with an error") {
  std::string text;
  for (int i = 0; i < 1000; ++i) text += "event " + std::to_string(i) + "\n";
  LineLimits limits;
  limits.text_bytes = 2000;
  std::istringstream in(compress(text));
  LineReader r(in, limits);
  std::string line;
  int n = 0;
  while (r.next(line)) ++n;
  CHECK(n < 300);
  CHECK_MESSAGE(r.error().find("more than 2000 bytes") != std::string::npos, r.error());
  CHECK(r.compressed_bytes() == in.str().size());  // hashed to the end all the same
  CHECK(text_bound_for_events(3, 10) == 33);
  CHECK(text_bound_for_events(std::uint64_t{1} << 62) == std::numeric_limits<std::uint64_t>::max());
}

TEST_CASE("a frame that asks for a window over the bound is refused before it is allocated") {
  const std::string text(1u << 20, 'w');
  auto ok = read_lines(compress(text + "\n", max_window_log), {});
  CHECK(ok.error.empty());
  auto big = read_lines(compress(text + "\n", max_window_log + 4), {});
  CHECK(big.lines.empty());
  CHECK_MESSAGE(big.error.find("window") != std::string::npos, big.error);
}
