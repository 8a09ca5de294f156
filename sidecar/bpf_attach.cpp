#include "sidecar/bpf_attach.hpp"

#include <bpf/libbpf.h>

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>

#include <spdlog/spdlog.h>

#include "sidecar/tracer.hpp"

namespace jobtrail::sidecar {

std::string libbpf_error_text(int err) {
  err = err < 0 ? -err : err;
  if (err == EPERM || err == EACCES) return "permission denied (needs root or CAP_BPF+CAP_PERFMON+CAP_NET_ADMIN+CAP_SYS_RESOURCE)";
  return std::strerror(err);
}

void reuse_shared_maps(const std::string& family, bpf_map* scope, bpf_map* exec_ref, const TracerContext& ctx) {
  if (scope && bpf_map__reuse_fd(scope, ctx.scope_map_fd))
    throw std::runtime_error(family + " tracer: cannot share jt_scope: " + libbpf_error_text(errno));
  if (exec_ref && bpf_map__reuse_fd(exec_ref, ctx.exec_ref_map_fd))
    throw std::runtime_error(family + " tracer: cannot share jt_exec_ref: " + libbpf_error_text(errno));
}

void reuse_shared_ring(const std::string& family, bpf_map* rb, const TracerContext& ctx) {
  // An object left with its own ring would load and emit into a ring nobody reads.
  if (!rb) throw std::runtime_error(family + " tracer: the BPF object has no ring buffer rb");
  if (ctx.ring_map_fd < 0) throw std::runtime_error(family + " tracer: no shared ring buffer to use");
  if (bpf_map__reuse_fd(rb, ctx.ring_map_fd))
    throw std::runtime_error(family + " tracer: cannot share the ring buffer: " + libbpf_error_text(errno));
}

std::vector<std::string> disable_missing_tracepoints(const std::string& family, bpf_object* obj) {
  std::vector<std::string> off;
  std::string tracefs;
  for (const char* dir : {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"})
    if (access((std::string(dir) + "/events").c_str(), F_OK) == 0) {
      tracefs = dir;
      break;
    }
  if (tracefs.empty()) return off;  // cannot probe: attach will say which one is missing
  bpf_program* prog = nullptr;
  bpf_object__for_each_program(prog, obj) {
    const std::string sec = bpf_program__section_name(prog);
    if (sec.rfind("tp/", 0) != 0) continue;
    if (access((tracefs + "/events/" + sec.substr(3)).c_str(), F_OK) == 0) continue;
    bpf_program__set_autoload(prog, false);
    off.push_back(sec.substr(3));
  }
  for (auto& t : off) spdlog::info("{} tracer: tracepoint {} not in this kernel, not traced", family, t);
  return off;
}

Links::~Links() {
  // Each tracepoint detach waits for an RCU grace period in the kernel; one after the other,
  // ~80 syscall tracepoints took ~5 s on a busy 2-core node, which the pod's termination
  // would wait for. Concurrent waiters share grace periods, so detach from several threads.
  constexpr std::size_t kThreads = 16;
  std::vector<std::thread> workers;
  for (std::size_t t = 0; t < kThreads && t < links_.size(); ++t)
    workers.emplace_back([this, t] {
      for (std::size_t i = t; i < links_.size(); i += kThreads) bpf_link__destroy(links_[i]);
    });
  for (auto& w : workers) w.join();
}

void Links::attach_all(const std::string& family, bpf_object* obj, int cgroup_fd) {
  bpf_program* prog = nullptr;
  bpf_object__for_each_program(prog, obj) {
    if (!bpf_program__autoload(prog) || !bpf_program__autoattach(prog)) continue;
    const std::string sec = bpf_program__section_name(prog);
    const bool cgroup = sec.rfind("cgroup", 0) == 0 || sec == "sockops";
    bpf_link* link = cgroup ? bpf_program__attach_cgroup(prog, cgroup_fd) : bpf_program__attach(prog);
    if (!link)
      throw std::runtime_error(family + " tracer: cannot attach " + sec + ": " + libbpf_error_text(errno));
    links_.push_back(link);
  }
}

}  // namespace jobtrail::sidecar
