#pragma once
// Loader helpers of the tracer base (sidecar/bpf_tracer.hpp): reuse the core's shared maps and
// the shared ring buffer, attach each program by its kind (tracepoints by section, cgroup
// programs to the pod's cgroup), and keep the links for destruction (RAII). One-line errors
// for start-up.
#include <string>
#include <vector>

struct bpf_object;
struct bpf_link;
struct bpf_map;

namespace jobtrail::sidecar {

struct TracerContext;

// bpf_map__reuse_fd for jt_scope and jt_exec_ref (when present in the object); throws.
void reuse_shared_maps(const std::string& family, bpf_map* scope, bpf_map* exec_ref, const TracerContext& ctx);

// bpf_map__reuse_fd of the family's ring buffer `rb` with the one ring every family shares
// (ctx.ring_map_fd, sidecar/shared_ring.hpp), before load; throws (also when the object has none).
void reuse_shared_ring(const std::string& family, bpf_map* rb, const TracerContext& ctx);

// Probe, then choose: turns off autoload of every SEC("tp/CAT/NAME") program whose tracepoint
// this kernel lacks (e.g. module syscalls without CONFIG_MODULES), logging each one.
// Call between open and load. Returns the names turned off.
std::vector<std::string> disable_missing_tracepoints(const std::string& family, bpf_object* obj);

// Text for a libbpf error code (negative errno).
std::string libbpf_error_text(int err);

class Links {
 public:
  Links() = default;
  Links(const Links&) = delete;
  Links& operator=(const Links&) = delete;
  ~Links();
  // Attaches every autoload program of obj (but those with autoattach off): SEC("cgroup*"/"sockops") to cgroup_fd, the rest
  // with bpf_program__attach. Throws with the family and program name on failure.
  void attach_all(const std::string& family, bpf_object* obj, int cgroup_fd);

 private:
  std::vector<bpf_link*> links_;
};

}  // namespace jobtrail::sidecar
