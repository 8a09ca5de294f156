#pragma once
// Joins every event to the exec it belongs to. File, network and privilege records carry only an
// exec_id; the exec's binary, args, pid... come from its process_exec event, read from another
// ring buffer. libbpf reads the rings one after the other, so an event can reach us before its
// exec: it is held until every ring has been read once more AFTER it arrived. An exec is
// committed to its ring before the new image runs, so whatever is unknown after that read
// stays unknown (the process started before tracing) and is released as it is.
// Pure: the caller passes the ring read and the sink, so the order of rounds is unit-tested.
#include <cstdint>
#include <functional>
#include <limits>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "sidecar/exec_table.hpp"

namespace jobtrail::sidecar {

class ExecJoin {
 public:
  enum class Arrival { ready, held };
  using Sink = std::function<void(nlohmann::json&)>;
  explicit ExecJoin(std::size_t retired_max = 8192, std::size_t max_bytes = std::numeric_limits<std::size_t>::max())
      : table_(retired_max, max_bytes) {}

  // A decoded event: process_exec is recorded, any other event gets its exec's process fields
  // (ready) or is kept here (held; `e` is moved from).
  Arrival arrive(nlohmann::json& e);
  // Releases the events held before this call: read_all_rings() runs first (events arriving
  // during it are held for the next round, their exec may still be on its way), then each
  // released event goes to `sink`, joined when its exec came.
  void release(const std::function<void()>& read_all_rings, const Sink& sink);
  // End of the trail: every held event goes to `sink`, joined where possible.
  void release_all(const Sink& sink);
  bool holding() const { return !held_.empty(); }
  // The process fields recorded for an exec, or nullptr.
  const nlohmann::json* find(std::uint64_t exec_id) const { return table_.find(exec_id); }
  const ExecTable& table() const { return table_; }

 private:
  // `type` is the event's type where the caller has it (held events are never process events).
  void join(nlohmann::json& e, std::string_view type);

  ExecTable table_;
  std::vector<nlohmann::json> held_;
};

}  // namespace jobtrail::sidecar
