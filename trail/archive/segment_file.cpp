#include "trail/archive/segment_file.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace jobtrail::archive {

namespace {
constexpr std::size_t batch_bytes = 64 * 1024;
[[noreturn]] void fail(const std::string& what, const std::filesystem::path& p, int err) {
  throw std::runtime_error(what + " " + p.string() + ": " + std::strerror(err));
}
}  // namespace

SegmentFile::SegmentFile(std::filesystem::path path, int zstd_level) : path_(std::move(path)) {
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd_ < 0) fail("cannot create segment", path_, errno);
  cctx_ = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx_, ZSTD_c_compressionLevel, zstd_level);
  ZSTD_CCtx_setParameter(cctx_, ZSTD_c_checksumFlag, 1);
  pending_.reserve(batch_bytes + 4096);
  out_.resize(ZSTD_CStreamOutSize());
}

SegmentFile::~SegmentFile() {
  if (fd_ >= 0) {
    try {
      compress(ZSTD_e_flush);  // keep what we have readable for salvage
    } catch (...) {
    }
    ::close(fd_);
  }
  ZSTD_freeCCtx(cctx_);
}

void SegmentFile::append(std::string_view line) {
  pending_.append(line);
  if (pending_.size() >= batch_bytes) compress(ZSTD_e_continue);
}

void SegmentFile::flush() { compress(ZSTD_e_flush); }

void SegmentFile::write_out(const char* data, std::size_t size) {
  sha_.update(data, size);
  written_ += size;
  while (size) {
    auto n = ::write(fd_, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot write segment", path_, errno);
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

void SegmentFile::compress(int mode) {
  ZSTD_inBuffer in{pending_.data(), pending_.size(), 0};
  auto directive = static_cast<ZSTD_EndDirective>(mode);
  while (true) {
    ZSTD_outBuffer out{out_.data(), out_.size(), 0};
    std::size_t left = ZSTD_compressStream2(cctx_, &out, &in, directive);
    if (ZSTD_isError(left)) throw std::runtime_error(std::string("zstd: ") + ZSTD_getErrorName(left));
    if (out.pos) write_out(out_.data(), out.pos);
    bool consumed = in.pos == in.size;
    if (directive == ZSTD_e_continue ? consumed : (consumed && left == 0)) break;
  }
  pending_.clear();
}

SegmentFile::Sealed SegmentFile::seal() {
  compress(ZSTD_e_end);
  if (::fsync(fd_) != 0) fail("cannot sync segment", path_, errno);
  if (::close(fd_) != 0) {
    fd_ = -1;
    fail("cannot close segment", path_, errno);
  }
  fd_ = -1;
  return {written_, sha_.hex()};
}

}  // namespace jobtrail::archive
