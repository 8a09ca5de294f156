#pragma once
// Lines of events in the order things happened. The four families reach the sidecar on four ring
// buffers, each read when it fills or at the next poll, so in arrival order (the archive's `seq`)
// a connection can come after every process of the job has exited. The sidecar's live stream and
// `jobtrail show` therefore hold each line a short, fixed time and write the held lines by the
// time of their event: an event that arrives within the hold time of a later one is written
// before it. Bounded, because the job decides how many
// events there are: when the buffer is full the oldest line is written at once (early) and a
// line written after a later one is counted as out of order; no line is ever dropped. Pure: the
// caller gives the clock and takes the text, so it is tested without I/O.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

namespace jobtrail::events {

// The `time` of an event (RFC 3339) in ns since the epoch; nullopt when it has none we can read.
std::optional<std::int64_t> event_time_ns(const nlohmann::json& event);

class TimeReorder {
 public:
  struct Limits {
    std::int64_t hold_ns = 250'000'000;  // above the 100 ms after which every ring has been read
    std::size_t max_lines = 4096;
    std::size_t max_bytes = std::size_t{1} << 20;
  };
  explicit TimeReorder(Limits limits) : limits_(limits) {}
  TimeReorder() : TimeReorder(Limits{}) {}

  // Queues one line (with its '\n') of an event that happened at `event_ns` (nullopt: unknown),
  // read at `now_ns` (the sidecar: the wall clock; `show`: the latest event time read so far). An event time after `now_ns`, or none, counts as `now_ns`, so no line waits
  // longer than the hold time. When the buffer is over a limit, the oldest lines go to `out` now.
  void add(std::optional<std::int64_t> event_ns, std::int64_t now_ns, std::string line, std::string& out);
  // Appends to `out`, in event-time order, every line whose time is at least the hold time
  // before `now_ns`.
  void release(std::int64_t now_ns, std::string& out);
  // Appends every held line, in event-time order (the end of the stream).
  void flush(std::string& out);

  std::size_t held_lines() const { return held_.size(); }
  std::size_t held_bytes() const { return bytes_; }
  // Lines written before their hold time because the buffer was full.
  std::uint64_t released_early() const { return released_early_; }
  // Lines written after a line of a later event (the buffer was full, or they came too late).
  std::uint64_t out_of_order() const { return out_of_order_; }

 private:
  using Key = std::pair<std::int64_t, std::uint64_t>;  // event time, arrival number (ties in arrival order)
  void write_oldest(std::string& out);

  Limits limits_;
  std::map<Key, std::string> held_;
  std::size_t bytes_ = 0;
  std::uint64_t arrivals_ = 0, released_early_ = 0, out_of_order_ = 0;
  std::optional<std::int64_t> last_written_ns_;
};

}  // namespace jobtrail::events
