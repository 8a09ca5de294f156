#include "trail/archive/line_reader.hpp"

#include <zstd.h>
#include <zstd_errors.h>

namespace jobtrail::archive {

std::uint64_t text_bound_for_events(std::uint64_t events, std::size_t line_bytes) {
  const std::uint64_t per_line = std::uint64_t{line_bytes} + 1;
  if (events > std::numeric_limits<std::uint64_t>::max() / per_line) return std::numeric_limits<std::uint64_t>::max();
  return events * per_line;
}

LineReader::LineReader(std::istream& in, LineLimits limits) : in_(in), limits_(limits), dctx_(ZSTD_createDCtx()) {
  ZSTD_DCtx_setParameter(dctx_, ZSTD_d_windowLogMax, max_window_log);
  raw_.resize(ZSTD_DStreamInSize());
  out_.resize(ZSTD_DStreamOutSize());
}

LineReader::~LineReader() { ZSTD_freeDCtx(dctx_); }

// Keeps hashing what is left, so the verifier still reports the real digest after a stop.
void LineReader::hash_rest() {
  raw_pos_ = raw_len_;
  while (in_.read(raw_.data(), static_cast<std::streamsize>(raw_.size())) || in_.gcount() > 0) {
    sha_.update(raw_.data(), static_cast<std::size_t>(in_.gcount()));
    raw_bytes_ += static_cast<std::size_t>(in_.gcount());
  }
  eof_ = true;
}

// Decompresses more text; false when nothing more can come.
bool LineReader::fill() {
  while (true) {
    if (raw_pos_ == raw_len_ && !out_full_) {
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
    ZSTD_outBuffer o{out_.data(), out_.size(), 0};
    std::size_t r = ZSTD_decompressStream(dctx_, &o, &in);
    raw_pos_ = in.pos;
    out_full_ = o.pos == o.size;
    if (ZSTD_isError(r)) {
      if (ZSTD_getErrorCode(r) == ZSTD_error_frameParameter_windowTooLarge)
        error_ = "a zstd frame asks for a window over 2^" + std::to_string(max_window_log) + " bytes (the readers' bound)";
      else
        error_ = std::string("corrupt zstd data: ") + ZSTD_getErrorName(r);
      hash_rest();
      return false;
    }
    frame_left_ = r;
    if (o.pos) {
      text_bytes_ += o.pos;
      if (text_bytes_ > limits_.text_bytes) {
        error_ = "decompresses to more than " + std::to_string(limits_.text_bytes) +
                 " bytes of text, the bound for this segment (a zstd bomb, or more lines than its manifest entry counts)";
        hash_rest();
        return false;
      }
      text_.erase(0, text_pos_);
      scanned_ -= text_pos_;
      text_pos_ = 0;
      text_.append(out_.data(), o.pos);
      return true;
    }
  }
}

void LineReader::drain() {
  if (!eof_) hash_rest();
  raw_pos_ = raw_len_;
}

bool LineReader::next(std::string& line) {
  while (true) {
    auto nl = text_.find('\n', scanned_);
    if (nl != std::string::npos) {
      const std::size_t length = nl - text_pos_;
      const bool over = skipping_ || length > limits_.line_bytes;
      const std::size_t start = text_pos_;
      text_pos_ = scanned_ = nl + 1;
      skipping_ = false;
      if (over) {
        ++overlong_;
        continue;
      }
      line.assign(text_, start, length);
      return true;
    }
    scanned_ = text_.size();
    // Past the bound with no '\n' yet: drop what is held and keep dropping up to the '\n'.
    if (skipping_ || text_.size() - text_pos_ > limits_.line_bytes) {
      skipping_ = true;
      text_.clear();
      text_pos_ = scanned_ = 0;
    }
    if (!error_.empty() || !fill()) {
      if (skipping_) {  // the last line, over the bound (and without its '\n')
        skipping_ = false;
        ++overlong_;
      } else if (text_pos_ < text_.size() && error_.empty()) {
        error_ = "last line has no newline (truncated segment)";
      }
      return false;
    }
  }
}

}  // namespace jobtrail::archive
