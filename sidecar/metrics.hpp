#pragma once
// Counters the sidecar exposes on /metrics (Prometheus text format). Written by the
// pipeline thread, read by the HTTP thread: plain relaxed atomics are enough.
#include <atomic>
#include <cstdint>
#include <string>

namespace jobtrail::sidecar {

struct SidecarMetrics {
  std::atomic<bool> ready{false};  // every BPF program attached
  std::atomic<std::uint64_t> events{0};
  std::atomic<std::uint64_t> lost{0};          // kernel-side drops (failed ring-buffer reservations)
  std::atomic<std::uint64_t> bad_records{0};   // records no decoder accepted
  std::atomic<std::uint64_t> spool_dropped{0}; // events the full spool could not keep
  // copied from the archive writer once a second (Session::run)
  std::atomic<std::uint64_t> segments_spooled{0}, segments_uploaded{0}, upload_retries{0};
  std::atomic<std::uint64_t> bytes_uploaded{0}, spool_bytes{0}, spool_full_hits{0}, objects_given_up{0};
  // other pods' spools on the node that this sidecar finished, or refused (sidecar/orphan_sweeper.hpp)
  std::atomic<std::uint64_t> orphan_spools_finished{0}, orphan_spools_skipped{0};
  // the memory budget (--memory-budget-mib) and what holding to it cost, copied once a second
  std::atomic<std::uint64_t> memory_budget_bytes{0}, exec_table_bytes{0}, exec_args_not_joined{0};
  std::atomic<std::uint64_t> exec_not_joined{0}, file_folds_bytes{0}, file_folds_released_early{0};
  // the live stream's reorder buffer (trail/events/time_reorder.hpp): written early when full, out of order
  std::atomic<std::uint64_t> live_released_early{0}, live_out_of_order{0};
  // the OTLP log exporter (--otlp-endpoint): records a collector accepted, and those dropped
  std::atomic<std::uint64_t> otlp_exported{0}, otlp_dropped{0};
};

extern SidecarMetrics g_metrics;

// The /metrics body: pure, so it is unit-tested.
std::string render_metrics(const SidecarMetrics& m);

}  // namespace jobtrail::sidecar
