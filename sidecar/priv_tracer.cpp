#include "sidecar/priv_tracer.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <vector>

#include <spdlog/spdlog.h>

#include "bpf/events/priv.h"
#include "priv.skel.h"
#include "sidecar/bpf_attach.hpp"
#include "sidecar/loss_names.hpp"
#include "trail/events/priv_decode.hpp"

namespace jobtrail::sidecar {

struct PrivTracer::Impl {
  struct Destroy {
    void operator()(priv* s) const { priv__destroy(s); }
  };
  std::unique_ptr<priv, Destroy> skel;
  int cgroup_fd = -1;
  Links links;  // declared after the skeleton: detached before it is destroyed
  std::uint32_t self_generation = 0;
  bool self_failure_logged = false;
};

PrivTracer::PrivTracer() : impl_(std::make_unique<Impl>()) {}
PrivTracer::~PrivTracer() = default;

void PrivTracer::open_and_load(const TracerContext& ctx) {
  impl_->skel.reset(priv__open());
  if (!impl_->skel) throw std::runtime_error("priv tracer: cannot open BPF object: " + libbpf_error_text(errno));
  disable_missing_tracepoints("priv", impl_->skel->obj);
  reuse_shared_maps("priv", impl_->skel->maps.jt_scope, impl_->skel->maps.jt_exec_ref, ctx);
  set_ring_buffer_size("priv", impl_->skel->maps.rb, ctx);
  bpf_program__set_autoattach(impl_->skel->progs.jt_sidecar_whoami_prog, false);  // run, never attached
  impl_->cgroup_fd = ctx.target_cgroup_fd;
  if (int err = priv__load(impl_->skel.get()))
    throw std::runtime_error("priv tracer: BPF load failed: " + libbpf_error_text(err));
}

void PrivTracer::attach() {
  // Known before the first signal program runs: no window in which the sidecar is anonymous.
  if (int n = refresh_self(); n >= 0) spdlog::info("priv tracer: sidecar pid {} ({} threads) guarded", getpid(), n);
  impl_->links.attach_all("priv", impl_->skel->obj, impl_->cgroup_fd);
}

int PrivTracer::refresh_self() {
  const std::uint32_t gen = ++impl_->self_generation;
  std::uint64_t args[1] = {gen};
  LIBBPF_OPTS(bpf_test_run_opts, run, .ctx_in = args, .ctx_size_in = sizeof args);
  if (bpf_prog_test_run_opts(bpf_program__fd(impl_->skel->progs.jt_sidecar_whoami_prog), &run) != 0) {
    if (!impl_->self_failure_logged)  // retried every second: one line, not one a second
      spdlog::warn("priv tracer: cannot tell the kernel the sidecar's pid ({}): signals and ptrace aimed at it are not told apart",
                   libbpf_error_text(-errno));
    impl_->self_failure_logged = true;
    return -1;
  }
  // Numbers of threads that have exited may be reused by the job's processes: drop them.
  const int fd = bpf_map__fd(impl_->skel->maps.jt_sidecar_ids);
  priv_self_key key{}, next{};
  std::vector<priv_self_key> stale;
  for (void* prev = nullptr; bpf_map_get_next_key(fd, prev, &next) == 0 && stale.size() < 4096; prev = &key) {
    key = next;
    std::uint32_t seen = 0;
    if (bpf_map_lookup_elem(fd, &key, &seen) == 0 && seen != gen) stale.push_back(key);
  }
  for (auto& k : stale) bpf_map_delete_elem(fd, &k);
  return static_cast<int>(run.retval);
}

std::optional<SignalTally> PrivTracer::sidecar_signals(int signo) const {
  if (!impl_->skel || signo < 0 || signo > 64) return std::nullopt;
  const std::uint32_t key = static_cast<std::uint32_t>(signo);
  priv_sidecar_signal_count c{};
  if (bpf_map_lookup_elem(bpf_map__fd(impl_->skel->maps.jt_sidecar_signals), &key, &c) != 0) return std::nullopt;
  return SignalTally{c.from_job, c.from_outside};
}

int PrivTracer::ring_buffer_fd() const { return bpf_map__fd(impl_->skel->maps.rb); }

std::optional<nlohmann::json> PrivTracer::decode(const void* data, std::size_t size) {
  std::string why;
  auto j = events::decode_priv_record(data, size, &why);
  if (!j) spdlog::warn("priv tracer: bad record: {}", why);
  return j;
}

std::map<std::string, std::uint64_t> PrivTracer::read_losses() {
  return name_losses(read_percpu_loss_map(bpf_map__fd(impl_->skel->maps.jt_loss)), [](std::uint32_t type) {
    return type == JT_EV_PRIV_CAPABILITY ? "capability" : "priv_syscall";
  });
}

}  // namespace jobtrail::sidecar
