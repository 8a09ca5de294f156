#pragma once
// The interface one tracer family implements (process, file, net, dns, priv), so families
// plug into the sidecar without touching the core loop (sidecar/pipeline.cpp).
//
// Lifecycle, driven by the core in this order, all on the main thread:
//   open_and_load(ctx)  open the skeleton, set rodata, bpf_map__reuse_fd() the shared maps
//                       (jt_scope, jt_exec_ref) and the one ring buffer from ctx, load. Throw
//                       std::runtime_error with ONE line on failure (start-up fails loudly).
//   attach()            attach every program; throw with one line on failure.
//   decode(data, size)  one raw record of the family's event types (the core dispatches each
//                       record of the shared ring by its type: sidecar/record_router.hpp)
//                       -> JSON event (without "seq", "time" and the exec-table
//                       process fields: the core adds them). Must check `size` against every
//                       struct before reading; return std::nullopt for records it does not know
//                       (the core counts them as bad records).
//   read_losses()       per event type, the TOTAL failed reserves so far (summed over CPUs);
//                       the core computes deltas and writes `lost` events.
//   features()          after open_and_load: which variant of its programs the family loaded on
//                       this kernel, as a JSON object (the manifest's meta.features.<family>).
// BPF families derive from BpfTracer (sidecar/bpf_tracer.hpp), which runs the loader sequence
// and reads the losses; they implement decode() and what differs in their sequence.
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace jobtrail::sidecar {

enum class FilesMode { folded, all, off };

struct TracerContext {
  int target_cgroup_fd = -1;    // opened cgroup dir of the pod (jt_scope index 0)
  int excluded_cgroup_fd = -1;  // the sidecar's own container cgroup, -1 if none (index 1)
  int scope_map_fd = -1;        // jt_scope of the process object: reuse it (already filled)
  int exec_ref_map_fd = -1;     // jt_exec_ref of the process object: reuse it
  std::uint64_t target_cgroup_id = 0;    // cgroup ids of the two cgroups above (0: none), for
  std::uint64_t excluded_cgroup_id = 0;  // programs that scope by ancestor id (bpf/lib/scope.bpf.h)
  FilesMode files = FilesMode::folded;
  int ring_map_fd = -1;         // the one ring buffer every family's `rb` reuses (sidecar/shared_ring.hpp)
};

class Tracer {
 public:
  virtual ~Tracer() = default;
  // "process", "file", "net", "priv": logs, metrics, and the records it decodes (the family's
  // event types, sidecar/record_router.hpp)
  virtual std::string name() const = 0;
  virtual void open_and_load(const TracerContext& ctx) = 0;
  virtual void attach() = 0;
  virtual std::optional<nlohmann::json> decode(const void* data, std::size_t size) = 0;
  // lost_type (an event type name, docs/schema.md) -> total lost so far
  virtual std::map<std::string, std::uint64_t> read_losses() = 0;
  // End of the trail: events the family still holds (e.g. folded file opens). decode() may
  // also return a JSON ARRAY of events (several released at once); the core handles each.
  virtual std::vector<nlohmann::json> flush() { return {}; }
  // The bytes of user-space state the family may hold for the job (its share of
  // --memory-budget-mib); set once after load. Families holding nothing ignore it.
  virtual void set_memory_share(std::uint64_t /*bytes*/) {}
  struct MemoryUse {
    std::uint64_t bytes = 0;           // held now
    std::uint64_t released_early = 0;  // events written early to stay in the share (total)
  };
  virtual MemoryUse memory_use() const { return {}; }
  // e.g. {"scope": "ancestor-cgroup-id"}; {} when the family has a single variant
  virtual nlohmann::json features() const { return nlohmann::json::object(); }
};

// Families register a factory here (one line in sidecar/tracers.cpp).
using TracerFactory = std::unique_ptr<Tracer> (*)();

}  // namespace jobtrail::sidecar
