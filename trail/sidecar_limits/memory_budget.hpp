#pragma once
// --memory-budget-mib: the one memory budget of the sidecar, ring buffers included, so that no
// workload can push it past its container's limit (the chart injects 256 Mi; the default 160 MiB
// leaves the margin). What is left after the rings and a fixed share for the process itself
// (code, libraries, BPF objects, archive writer, the event being decoded) is split between the
// two things a job can make us hold: the exec table (argv of live and recently exited execs)
// and the folded file opens. docs/sidecar.md says how each degrades past its share.
#include <cstdint>
#include <optional>
#include <string>

namespace jobtrail::sidecar {

inline constexpr std::uint64_t kDefaultMemoryBudgetMib = 160;
inline constexpr std::uint64_t kProcessShareBytes = std::uint64_t{48} << 20;

struct MemoryShares {
  std::uint64_t exec_table = 0;  // half of what is left
  std::uint64_t file_folds = 0;  // a quarter; the last quarter is headroom for events in flight
};

// nullopt and *why (one line) when the budget cannot hold the rings and the process share.
std::optional<MemoryShares> split_memory_budget(std::uint64_t budget_bytes, std::uint64_t ring_bytes, std::string* why);

}  // namespace jobtrail::sidecar
