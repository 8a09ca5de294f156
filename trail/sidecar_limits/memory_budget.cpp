#include "trail/sidecar_limits/memory_budget.hpp"

namespace jobtrail::sidecar {

std::optional<MemoryShares> split_memory_budget(std::uint64_t budget_bytes, std::uint64_t ring_bytes, std::string* why) {
  constexpr std::uint64_t kMib = 1 << 20;
  const std::uint64_t fixed = ring_bytes + kProcessShareBytes;
  // at least 8 MiB for what the job makes us hold, or every exec would lose its argv in the join
  if (budget_bytes < fixed + 8 * kMib) {
    if (why)
      *why = "--memory-budget-mib " + std::to_string(budget_bytes / kMib) + ": too small for the ring buffer (" +
             std::to_string(ring_bytes / kMib) + " MiB) + " + std::to_string(kProcessShareBytes / kMib) +
             " MiB for the sidecar + 8 MiB of exec table and file folds; give at least " +
             std::to_string((fixed + 8 * kMib + kMib - 1) / kMib);
    return std::nullopt;
  }
  const std::uint64_t rest = budget_bytes - fixed;
  return MemoryShares{rest / 2, rest / 4};
}

}  // namespace jobtrail::sidecar
