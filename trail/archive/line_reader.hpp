#pragma once
// Streams the JSON lines of one zstd-compressed segment from any std::istream in bounded
// memory, hashing the compressed bytes on the way (for the verifier). Segments come from a
// store the job may reach, so every size is bounded (docs/archive.md, "Bounds on reading"):
// a line longer than LineLimits::line_bytes is skipped and counted, never held; a segment that
// decompresses to more than LineLimits::text_bytes stops with an error; a frame asking for a
// larger zstd window than max_window_log is refused.
#include <cstdint>
#include <istream>
#include <limits>
#include <string>

#include "trail/archive/sha256.hpp"

typedef struct ZSTD_DCtx_s ZSTD_DCtx;

namespace jobtrail::archive {

// The longest event line a reader accepts. The sidecar's largest line is an exec (or an event
// joined to one) at its limits: 64 KiB of argv as 65,536 empty arguments, one of them not UTF-8,
// costs 8 bytes of JSON per argv byte (`"",` plus `null,` in args_b64): 512 KiB; binary path
// and cwd (4 KiB each) and env (2 KiB) at most 8 bytes per byte again: 80 KiB; a DNS answer
// adds at most 256 answers of two 255-byte names escaped as \xNN: 660 KiB. That is under
// 1.3 MiB; the bound leaves a wide margin for fields added later.
inline constexpr std::size_t max_line_bytes = 8u << 20;
// The writer compresses at level 3 (zstd window 2^21); 2^23 admits every level up to 19 and keeps
// the decoder's window allocation at 8 MiB whatever a frame header asks for.
inline constexpr int max_window_log = 23;

struct LineLimits {
  std::size_t line_bytes = max_line_bytes;
  std::uint64_t text_bytes = std::numeric_limits<std::uint64_t>::max();  // decompressed, whole segment
};

// The most text a segment of `events` lines can decompress to (each line and its '\n'): the
// text bound for a segment whose manifest entry claims that many events.
std::uint64_t text_bound_for_events(std::uint64_t events, std::size_t line_bytes = max_line_bytes);

class LineReader {
 public:
  explicit LineReader(std::istream& in, LineLimits limits = {});
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // Next complete line without its '\n'. Lines longer than the bound are skipped (counted in
  // overlong_lines()). False at the end or on damage (see error()).
  bool next(std::string& line);
  // "" when the stream ended cleanly; otherwise what went wrong (corrupt data, truncated
  // frame, a last line without '\n', more text than the bound).
  const std::string& error() const { return error_; }
  // Lines skipped so far for being longer than LineLimits::line_bytes (a last one without '\n'
  // included).
  std::uint64_t overlong_lines() const { return overlong_; }
  const LineLimits& limits() const { return limits_; }
  // Hashes the rest of the input without decoding it (after stopping early).
  void drain();
  std::uint64_t compressed_bytes() const { return raw_bytes_; }
  std::uint64_t text_bytes() const { return text_bytes_; }  // decompressed so far
  std::string sha256_hex() { return sha_.hex(); }  // of the compressed bytes; call after the end

 private:
  bool fill();
  void hash_rest();
  std::istream& in_;
  LineLimits limits_;
  ZSTD_DCtx* dctx_ = nullptr;
  std::string raw_, out_;
  std::size_t raw_pos_ = 0, raw_len_ = 0;
  std::string text_;
  std::size_t text_pos_ = 0;
  std::size_t scanned_ = 0;     // text_[text_pos_, scanned_) holds no '\n'
  bool skipping_ = false;       // inside a line over the bound: dropping text up to its '\n'
  std::size_t frame_left_ = 0;  // last ZSTD_decompressStream hint: 0 = at a frame boundary
  bool eof_ = false;
  // The last ZSTD_decompressStream filled the whole output buffer: it may hold more text from the
  // input it has already taken, so it is called again before more input is read (or EOF is seen).
  bool out_full_ = false;
  std::string error_;
  std::uint64_t raw_bytes_ = 0, text_bytes_ = 0, overlong_ = 0;
  Sha256 sha_;
};

}  // namespace jobtrail::archive
