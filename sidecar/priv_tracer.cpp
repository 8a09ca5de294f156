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
#include "trail/events/priv_decode.hpp"
#include "trail/events/types.hpp"

namespace jobtrail::sidecar {

struct PrivTracer::Impl {
  priv* skel = nullptr;  // owned by the base
  std::uint32_t self_generation = 0;
  bool self_failure_logged = false;
};

PrivTracer::PrivTracer()
    : BpfTracer("priv", {{{JT_EV_PRIV_CAPABILITY, events::type_name::capability}}, events::type_name::priv_syscall}),
      impl_(std::make_unique<Impl>()) {}
PrivTracer::~PrivTracer() = default;

BpfTracer::Skeleton PrivTracer::open_skeleton() {
  impl_->skel = priv__open();
  return {impl_->skel, priv__load, priv__destroy};
}

void PrivTracer::before_load(const TracerContext&) {
  bpf_program__set_autoattach(impl_->skel->progs.jt_sidecar_whoami_prog, false);  // run, never attached
}

void PrivTracer::before_attach() {
  // Known before the first signal program runs: no window in which the sidecar is anonymous.
  if (int n = refresh_self(); n >= 0) spdlog::info("priv tracer: sidecar pid {} ({} threads) guarded", getpid(), n);
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
  if (!loaded() || signo < 0 || signo > 64) return std::nullopt;
  const std::uint32_t key = static_cast<std::uint32_t>(signo);
  priv_sidecar_signal_count c{};
  if (bpf_map_lookup_elem(bpf_map__fd(impl_->skel->maps.jt_sidecar_signals), &key, &c) != 0) return std::nullopt;
  return SignalTally{c.from_job, c.from_outside};
}

std::optional<nlohmann::json> PrivTracer::decode(const void* data, std::size_t size) {
  std::string why;
  auto j = events::decode_priv_record(data, size, &why);
  if (!j) spdlog::warn("priv tracer: bad record: {}", why);
  return j;
}

}  // namespace jobtrail::sidecar
