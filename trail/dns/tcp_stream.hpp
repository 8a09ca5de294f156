#pragma once
// DNS over TCP (RFC 1035 4.2.2, RFC 7766 6.2.1): every message is preceded by a 2-byte
// big-endian length, and TCP keeps no message boundaries. One segment can carry several
// messages (glibc writes the A and AAAA queries of a lookup in one writev), or a part of one
// (a client writing the length and the message separately). This turns the port-53 TCP
// payloads the kernel captured, segment by segment, back into whole messages. Pure: bytes in,
// messages out; bounded memory.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

namespace jobtrail::dns {

// The complete length-prefixed messages at the front of `bytes` (each without its prefix) and
// how many bytes they took; a message cut at the end is left (consumed < bytes.size()).
struct TcpSplit {
  std::vector<std::span<const std::uint8_t>> messages;
  std::size_t consumed = 0;
};
TcpSplit split_tcp_messages(std::span<const std::uint8_t> bytes);

// Reassembly per direction of a connection (`stream`: any key naming the flow, e.g. its
// addresses and ports). Segments are fed in the order they were captured.
class TcpStreams {
 public:
  struct Piece {
    std::vector<std::uint8_t> bytes;  // one message without its prefix (cut short when `cut`)
    bool cut = false;                 // its end was not seen (capture limit, over max_pending)
  };
  struct Fed {
    std::vector<Piece> messages;  // in stream order; empty while a message is still incomplete
    std::string error;            // why bytes were given up ("" when none were)
  };

  explicit TcpStreams(std::size_t max_streams = 1024, std::size_t max_pending = 4096)
      : max_streams_(max_streams), max_pending_(max_pending) {}

  // `captured_all`: the segment's whole payload is in `segment` (false when the kernel's
  // capture cut it). A cut segment ends what can be followed of the stream: its messages are
  // returned (the last one marked `cut`) and nothing is kept for the next segment.
  Fed feed(const std::string& stream, std::span<const std::uint8_t> segment, bool captured_all);

  std::size_t streams() const { return pending_.size(); }
  std::uint64_t evicted() const { return evicted_; }  // streams dropped to stay under max_streams

 private:
  std::size_t max_streams_;
  std::size_t max_pending_;
  std::unordered_map<std::string, std::vector<std::uint8_t>> pending_;  // bytes of an unfinished message
  std::deque<std::string> order_;  // streams by the time they started pending, for eviction
  std::uint64_t evicted_ = 0;
};

}  // namespace jobtrail::dns
