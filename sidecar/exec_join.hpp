#pragma once
// Joins every event to the exec it belongs to. File, network and privilege records carry only an
// exec_id; the exec's binary, args, pid... come from its process_exec event. All families write
// into one ring buffer, read in the order the kernel reserved the records, and an exec is
// committed to it before the new image runs: every later event of that exec is behind its
// process_exec, so an event whose exec is unknown when it arrives stays unknown (the process
// started before tracing, or its exec record was lost) and is passed on as it is.
// Pure: unit-tested without a ring.
#include <cstdint>
#include <limits>
#include <string_view>

#include <nlohmann/json.hpp>

#include "sidecar/exec_table.hpp"

namespace jobtrail::sidecar {

class ExecJoin {
 public:
  explicit ExecJoin(std::size_t retired_max = 8192, std::size_t max_bytes = std::numeric_limits<std::size_t>::max())
      : table_(retired_max, max_bytes) {}

  // A decoded event: process_exec is recorded, any other event gets its exec's process fields
  // when the exec is known (the event's own fields stay).
  void arrive(nlohmann::json& e);
  // The process fields recorded for an exec, or nullptr.
  const nlohmann::json* find(std::uint64_t exec_id) const { return table_.find(exec_id); }
  const ExecTable& table() const { return table_; }

 private:
  void join(nlohmann::json& e, std::string_view type);

  ExecTable table_;
};

}  // namespace jobtrail::sidecar
