#include "sidecar/line_stream.hpp"

#include <unistd.h>

#include <cerrno>

namespace jobtrail::sidecar {

std::vector<std::string_view> whole_line_chunks(std::string_view text, std::size_t max) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = start;  // one past the last whole line that still fits
    while (end < text.size()) {
      std::size_t nl = text.find('\n', end);
      std::size_t next = nl == std::string_view::npos ? text.size() : nl + 1;
      if (next - start > max && end > start) break;
      end = next;
      if (end - start >= max) break;
    }
    out.push_back(text.substr(start, end - start));
    start = end;
  }
  return out;
}

void fit_live_line(std::string& line, std::size_t max) {
  static constexpr std::string_view kCut = "…";
  if (max < kCut.size() + 2 || line.size() + 1 <= max) return;
  std::size_t keep = max - 1 - kCut.size();
  while (keep > 0 && (static_cast<unsigned char>(line[keep]) & 0xC0) == 0x80) --keep;  // a continuation byte
  line.resize(keep);
  line += kCut;
}

bool write_whole_lines(int fd, std::string_view text, std::size_t max) {
  for (std::string_view chunk : whole_line_chunks(text, max)) {
    while (!chunk.empty()) {
      ssize_t n = ::write(fd, chunk.data(), chunk.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      chunk.remove_prefix(static_cast<std::size_t>(n));
    }
  }
  return true;
}

}  // namespace jobtrail::sidecar
