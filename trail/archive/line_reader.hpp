#pragma once
// Streams the JSON lines of one zstd-compressed segment from any std::istream in bounded
// memory, hashing the compressed bytes on the way (for the verifier).
#include <cstdint>
#include <istream>
#include <string>

#include "trail/archive/sha256.hpp"

typedef struct ZSTD_DCtx_s ZSTD_DCtx;

namespace jobtrail::archive {

class LineReader {
 public:
  explicit LineReader(std::istream& in);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // Next complete line without its '\n'. False at the end or on damage (see error()).
  bool next(std::string& line);
  // "" when the stream ended cleanly; otherwise what went wrong (corrupt data, truncated
  // frame, a last line without '\n').
  const std::string& error() const { return error_; }
  // Hashes the rest of the input without decoding it (after stopping early).
  void drain();
  std::uint64_t compressed_bytes() const { return raw_bytes_; }
  std::string sha256_hex() { return sha_.hex(); }  // of the compressed bytes; call after the end

 private:
  bool fill();
  std::istream& in_;
  ZSTD_DCtx* dctx_ = nullptr;
  std::string raw_;
  std::size_t raw_pos_ = 0, raw_len_ = 0;
  std::string text_;
  std::size_t text_pos_ = 0;
  std::size_t frame_left_ = 0;  // last ZSTD_decompressStream hint: 0 = at a frame boundary
  bool eof_ = false;
  std::string error_;
  std::uint64_t raw_bytes_ = 0;
  Sha256 sha_;
};

}  // namespace jobtrail::archive
