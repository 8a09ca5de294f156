#include "sidecar/bpf_tracer.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "bpf/events/common.h"

namespace jobtrail::sidecar {

BpfTracer::Skeleton& BpfTracer::Skeleton::operator=(Skeleton&& o) noexcept {
  if (this == &o) return *this;
  if (destroy_) destroy_();
  obj_ = std::exchange(o.obj_, nullptr);
  load_ = std::move(o.load_);
  destroy_ = std::move(o.destroy_);
  o.load_ = nullptr;
  o.destroy_ = nullptr;
  return *this;
}

BpfTracer::Skeleton::~Skeleton() {
  if (destroy_) destroy_();
}

BpfTracer::BpfTracer(std::string family, LossTable losses, SharedMaps shared)
    : family_(std::move(family)), losses_(std::move(losses)), shared_(shared) {}

BpfTracer::~BpfTracer() = default;

bpf_map* BpfTracer::map(const char* name) const {
  return skeleton_.object() ? bpf_object__find_map_by_name(skeleton_.object(), name) : nullptr;
}

int BpfTracer::map_fd(const char* name) const {
  bpf_map* m = map(name);
  if (!m) throw std::logic_error(family_ + " tracer: the BPF object has no map " + name);
  return bpf_map__fd(m);
}

void BpfTracer::open_and_load(const TracerContext& ctx) {
  if (!wanted(ctx)) return;
  Skeleton opened = open_skeleton();
  if (!opened.object()) throw std::runtime_error(family_ + " tracer: cannot open BPF object: " + libbpf_error_text(errno));
  skeleton_ = std::move(opened);
  bpf_object* obj = skeleton_.object();
  disable_missing_tracepoints(family_, obj);
  if (shared_ == SharedMaps::reuse) reuse_shared_maps(family_, map("jt_scope"), map("jt_exec_ref"), ctx);
  reuse_shared_ring(family_, map("rb"), ctx);
  before_load(ctx);
  cgroup_fd_ = ctx.target_cgroup_fd;
  if (int err = skeleton_.load()) throw std::runtime_error(family_ + " tracer: BPF load failed: " + libbpf_error_text(err));
  loss_fd_ = map_fd("jt_loss");
  loaded_ = true;
  after_load(ctx);
}

void BpfTracer::attach() {
  if (!loaded()) return;
  before_attach();
  links_.attach_all(family_, skeleton_.object(), cgroup_fd_);
}

std::map<std::string, std::uint64_t> BpfTracer::read_losses() {
  if (loss_fd_ < 0) return {};
  auto out = name_losses(read_percpu_loss_map(loss_fd_), losses_);
  add_own_losses(out);
  return out;
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

}  // namespace jobtrail::sidecar
