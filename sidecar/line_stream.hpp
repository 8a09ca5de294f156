#pragma once
// The live stream shares its pipe with the job's own output (`record`: one stdout for both;
// in a pod: the container log). A write(2) of at most PIPE_BUF bytes to a pipe is atomic, so the
// stream is written in whole lines, each write at most PIPE_BUF bytes: a line the job prints can
// then land only between two trail lines, never inside one.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace jobtrail::sidecar {

// Splits text (whole lines, each ending in '\n') into chunks of whole lines of at most `max`
// bytes each; a single line longer than `max` is a chunk of its own (it cannot be atomic).
std::vector<std::string_view> whole_line_chunks(std::string_view text, std::size_t max);

// Cuts one live line (without its '\n') to fit a single atomic write: at most `max` - 1 bytes
// with its newline, ending in "…" when cut, never inside a UTF-8 sequence. The archive keeps the
// event whole; only the live line is shortened.
void fit_live_line(std::string& line, std::size_t max);

// Writes every chunk with one write(2) each (retrying a partial write of a long line, EINTR);
// returns false when the stream is gone (EPIPE, a closed log).
bool write_whole_lines(int fd, std::string_view text, std::size_t max);

}  // namespace jobtrail::sidecar
