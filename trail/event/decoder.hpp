#pragma once
// Archive line -> typed Event (event.hpp). The line is the job's: any bytes. One that is not a
// JSON object of the schema's shape (wrong types, numbers out of range, nested deeper than
// archive::max_event_depth, longer than max_line_bytes, invalid UTF-8) is no event: decode()
// returns false and counts it, naming the first such line in first_error(). Keys the schema does
// not name are skipped, not refused (a newer sidecar may add some). Nothing throws past decode(),
// and the memory it keeps is bounded by max_line_bytes (the parser keeps buffers for the longest
// line it accepted).
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "trail/event/event.hpp"

namespace jobtrail::event {

// The longest exec line the sidecar writes is under 512 KiB (64 KiB argv, every byte escaped or
// not UTF-8 and so stored twice, plus paths and env); the parser needs about 14 bytes per byte.
inline constexpr std::size_t max_line_bytes = 1 << 20;

class Decoder {
 public:
  explicit Decoder(std::size_t max_line = max_line_bytes);
  ~Decoder();
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  // Fills `out` (all of it) from one archive line without its '\n'; false when the line is no
  // event (`out` is then unspecified).
  bool decode(std::string_view line, Event& out);
  std::uint64_t errors() const { return errors_; }
  // Why the first refused line was refused: "line 3: process.pid: wrong type or range".
  const std::string& first_error() const { return first_error_; }

 private:
  bool refuse(std::string why);
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::size_t max_line_;
  bool ready_ = false;
  std::uint64_t lines_ = 0, errors_ = 0;
  std::string first_error_;
};

}  // namespace jobtrail::event
