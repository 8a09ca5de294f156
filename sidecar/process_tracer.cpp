#include "sidecar/process_tracer.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include <spdlog/spdlog.h>

#include "bpf/events/common.h"
#include "process.skel.h"
#include "sidecar/bpf_attach.hpp"
#include "sidecar/loss_names.hpp"
#include "sidecar/container_names.hpp"
#include "sidecar/kernel_probe.hpp"
#include "trail/events/process_decode.hpp"
#include "trail/events/types.hpp"

namespace jobtrail::sidecar {

struct ProcessTracer::Impl {
  process* skel = nullptr;
  std::unique_ptr<ContainerNames> containers;
  bool bounded = false;  // the exec program's bounded-loop variant (no bpf_loop on this kernel)
  ~Impl() {
    if (skel) process__destroy(skel);
  }
};

ProcessTracer::ProcessTracer() : impl_(std::make_unique<Impl>()) {}
ProcessTracer::~ProcessTracer() = default;

namespace {
std::string errno_text(int err) {
  err = err < 0 ? -err : err;
  if (err == EPERM || err == EACCES) return "permission denied (needs root or CAP_BPF+CAP_PERFMON+CAP_SYS_RESOURCE)";
  return std::strerror(err);
}
}  // namespace

void ProcessTracer::open_and_load(const TracerContext& ctx) {
  std::error_code ec;
  auto pod = std::filesystem::read_symlink("/proc/self/fd/" + std::to_string(ctx.target_cgroup_fd), ec);
  if (!ec) impl_->containers = std::make_unique<ContainerNames>(pod);
  impl_->skel = process__open();
  if (!impl_->skel) throw std::runtime_error("process tracer: cannot open BPF object: " + errno_text(errno));
  set_ring_buffer_size("process", impl_->skel->maps.rb, ctx);
  // bpf_loop (5.17) and atomic fetch-add (5.12) come together in the exec program; without
  // bpf_loop the bounded variant records the same fields (bpf/process.bpf.c).
  impl_->bounded = !helper_offered(BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_FUNC_loop);
  bpf_program__set_autoload(impl_->skel->progs.raw_tracepoint__sched__sched_process_exec, !impl_->bounded);
  bpf_program__set_autoload(impl_->skel->progs.raw_tracepoint__sched__sched_process_exec_bounded, impl_->bounded);
  const int cpus = libbpf_num_possible_cpus();
  if (cpus <= 0) throw std::runtime_error("process tracer: cannot count possible CPUs: " + errno_text(cpus));
  impl_->skel->rodata->jt_possible_cpus = static_cast<std::uint32_t>(cpus);
  int err = process__load(impl_->skel);
  if (err) throw std::runtime_error("process tracer: BPF load failed: " + errno_text(err));
  const int scope = bpf_map__fd(impl_->skel->maps.jt_scope);
  std::uint32_t key = 0;
  if (bpf_map_update_elem(scope, &key, &ctx.target_cgroup_fd, BPF_ANY))
    throw std::runtime_error("process tracer: cannot set target cgroup: " + errno_text(errno));
  if (ctx.excluded_cgroup_fd >= 0) {
    key = 1;
    if (bpf_map_update_elem(scope, &key, &ctx.excluded_cgroup_fd, BPF_ANY))
      throw std::runtime_error("process tracer: cannot set excluded cgroup: " + errno_text(errno));
  }
}

nlohmann::json ProcessTracer::features() const {
  return {{"exec_loops", impl_->bounded ? "bounded" : "bpf_loop"}};
}

void ProcessTracer::attach() {
  int err = process__attach(impl_->skel);
  if (err)
    throw std::runtime_error("process tracer: cannot attach sched tracepoints: " + errno_text(err));
}

int ProcessTracer::ring_buffer_fd() const { return bpf_map__fd(impl_->skel->maps.rb); }
int ProcessTracer::scope_map_fd() const { return bpf_map__fd(impl_->skel->maps.jt_scope); }
int ProcessTracer::exec_ref_map_fd() const { return bpf_map__fd(impl_->skel->maps.jt_exec_ref); }

std::optional<nlohmann::json> ProcessTracer::decode(const void* data, std::size_t size) {
  std::string why;
  auto j = events::decode_process_record(data, size, &why);
  if (!j) {
    spdlog::warn("process tracer: bad record: {}", why);
    return j;
  }
  auto& p = (*j)["process"];
  if ((*j)["type"] == events::type_name::process_exec && impl_->containers) {
    const auto& cgroup = impl_->containers->cgroup_of(p.value("cgroup_id", std::uint64_t{0}));
    const auto slash = cgroup.rfind('/');
    p["container"] = {{"cgroup", cgroup},
                      {"id", container_id_of(slash == std::string::npos ? cgroup : cgroup.substr(slash + 1))}};
  }
  return j;
}

std::map<std::uint32_t, std::uint64_t> read_percpu_loss_map(int map_fd) {
  std::map<std::uint32_t, std::uint64_t> out;
  const int ncpu = libbpf_num_possible_cpus();
  if (ncpu <= 0) return out;
  // One batch read of all JT_LOSS_SLOTS slots, every second per family. Kernels without
  // batch ops on per-CPU arrays (5.10 answers ENOTSUPP, 524) get one lookup per slot instead:
  // JT_LOSS_SLOTS bpf() calls per family per second, there only.
  constexpr std::uint32_t kSlots = JT_LOSS_SLOTS;
  constexpr int kNotSupported = 524;  // the kernel's internal ENOTSUPP, as bpf() returns it
  std::vector<std::uint32_t> keys(kSlots);
  std::vector<std::uint64_t> all(static_cast<std::size_t>(kSlots) * static_cast<std::size_t>(ncpu));
  std::uint32_t next = 0, count = kSlots;
  int err = bpf_map_lookup_batch(map_fd, nullptr, &next, keys.data(), all.data(), &count, nullptr) != 0 ? errno : 0;
  if (err == kNotSupported || err == EOPNOTSUPP) {
    err = 0;
    count = kSlots;
    for (std::uint32_t k = 0; k < kSlots && !err; ++k) {
      keys[k] = k;
      if (bpf_map_lookup_elem(map_fd, &k, &all[static_cast<std::size_t>(k) * ncpu]) != 0) err = errno;
    }
  }
  if (err != 0 && err != ENOENT) {  // ENOENT: the last batch, `count` slots read
    errno = err;
    spdlog::error("cannot read the loss counters (map fd {}): {}; losses of this family are not reported",
                  map_fd, std::strerror(errno));
    return out;
  }
  for (std::uint32_t i = 0; i < count; ++i) {
    std::uint64_t sum = 0;
    for (int c = 0; c < ncpu; ++c) sum += all[static_cast<std::size_t>(i) * ncpu + c];
    if (sum) out[keys[i]] = sum;
  }
  return out;
}

std::map<std::string, std::uint64_t> ProcessTracer::read_losses() {
  return name_losses(read_percpu_loss_map(bpf_map__fd(impl_->skel->maps.jt_loss)), [](std::uint32_t type) {
    return type == JT_EV_PROCESS_EXEC ? events::type_name::process_exec : type == JT_EV_PROCESS_EXIT ? events::type_name::process_exit : "process_other";
  });
}

}  // namespace jobtrail::sidecar
