#include "trail/archive/line_reader.hpp"

#include <zstd.h>

namespace jobtrail::archive {

LineReader::LineReader(std::istream& in) : in_(in), dctx_(ZSTD_createDCtx()) {
  raw_.resize(ZSTD_DStreamInSize());
}

LineReader::~LineReader() { ZSTD_freeDCtx(dctx_); }

// Decompresses more text; false when nothing more can come.
bool LineReader::fill() {
  std::string out(ZSTD_DStreamOutSize(), '\0');
  while (true) {
    if (raw_pos_ == raw_len_) {
      if (eof_) return false;
      in_.read(raw_.data(), static_cast<std::streamsize>(raw_.size()));
      raw_len_ = static_cast<std::size_t>(in_.gcount());
      raw_pos_ = 0;
      if (raw_len_ == 0) {
        eof_ = true;
        if (frame_left_ != 0 && error_.empty()) error_ = "truncated zstd frame";
        return false;
      }
      sha_.update(raw_.data(), raw_len_);
      raw_bytes_ += raw_len_;
    }
    ZSTD_inBuffer in{raw_.data(), raw_len_, raw_pos_};
    ZSTD_outBuffer o{out.data(), out.size(), 0};
    std::size_t r = ZSTD_decompressStream(dctx_, &o, &in);
    raw_pos_ = in.pos;
    if (ZSTD_isError(r)) {
      error_ = std::string("corrupt zstd data: ") + ZSTD_getErrorName(r);
      raw_pos_ = raw_len_;
      // Keep hashing the rest so the verifier still reports the real digest.
      while (in_.read(raw_.data(), static_cast<std::streamsize>(raw_.size())) || in_.gcount() > 0) {
        sha_.update(raw_.data(), static_cast<std::size_t>(in_.gcount()));
        raw_bytes_ += static_cast<std::size_t>(in_.gcount());
      }
      eof_ = true;
      return false;
    }
    frame_left_ = r;
    if (o.pos) {
      text_.erase(0, text_pos_);
      text_pos_ = 0;
      text_.append(out.data(), o.pos);
      return true;
    }
  }
}

void LineReader::drain() {
  while (!eof_ && (in_.read(raw_.data(), static_cast<std::streamsize>(raw_.size())) || in_.gcount() > 0)) {
    sha_.update(raw_.data(), static_cast<std::size_t>(in_.gcount()));
    raw_bytes_ += static_cast<std::size_t>(in_.gcount());
  }
  eof_ = true;
  raw_pos_ = raw_len_;
}

bool LineReader::next(std::string& line) {
  while (true) {
    auto nl = text_.find('\n', text_pos_);
    if (nl != std::string::npos) {
      line.assign(text_, text_pos_, nl - text_pos_);
      text_pos_ = nl + 1;
      return true;
    }
    if (!error_.empty() || !fill()) {
      if (text_pos_ < text_.size() && error_.empty()) error_ = "last line has no newline (truncated segment)";
      return false;
    }
  }
}

}  // namespace jobtrail::archive
