#pragma once
// One open segment being written: JSON lines compressed as one zstd frame into a spool file,
// hashed (SHA-256 of the compressed bytes) as they go to disk, so sealing needs no re-read.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "trail/archive/sha256.hpp"

typedef struct ZSTD_CCtx_s ZSTD_CCtx;

namespace jobtrail::archive {

class SegmentFile {
 public:
  struct Sealed {
    std::uint64_t size;
    std::string sha256;
  };
  // Creates `path` (must not exist). Throws std::runtime_error with the path and errno text.
  SegmentFile(std::filesystem::path path, int zstd_level);
  ~SegmentFile();  // closes without sealing (the partial file stays for salvage)
  SegmentFile(const SegmentFile&) = delete;
  SegmentFile& operator=(const SegmentFile&) = delete;

  void append(std::string_view line);  // `line` must end with '\n'
  void flush();                        // ends a zstd block so a crash loses little
  Sealed seal();                       // ends the frame, fsyncs and closes
  std::uint64_t bytes() const { return written_ + pending_.size() / 4; }  // compressed estimate
  const std::filesystem::path& path() const { return path_; }

 private:
  void compress(int mode);
  void write_out(const char* data, std::size_t size);
  std::filesystem::path path_;
  int fd_ = -1;
  ZSTD_CCtx* cctx_ = nullptr;
  std::string pending_;  // lines batched before compression (fewer zstd calls)
  std::string out_;
  std::uint64_t written_ = 0;
  Sha256 sha_;
};

}  // namespace jobtrail::archive
