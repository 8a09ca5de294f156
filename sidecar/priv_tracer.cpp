#include "sidecar/priv_tracer.hpp"

#include <bpf/libbpf.h>

#include <cerrno>
#include <stdexcept>

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
};

PrivTracer::PrivTracer() : impl_(std::make_unique<Impl>()) {}
PrivTracer::~PrivTracer() = default;

void PrivTracer::open_and_load(const TracerContext& ctx) {
  impl_->skel.reset(priv__open());
  if (!impl_->skel) throw std::runtime_error("priv tracer: cannot open BPF object: " + libbpf_error_text(errno));
  disable_missing_tracepoints("priv", impl_->skel->obj);
  reuse_shared_maps("priv", impl_->skel->maps.jt_scope, impl_->skel->maps.jt_exec_ref, ctx);
  set_ring_buffer_size("priv", impl_->skel->maps.rb, ctx);
  impl_->cgroup_fd = ctx.target_cgroup_fd;
  if (int err = priv__load(impl_->skel.get()))
    throw std::runtime_error("priv tracer: BPF load failed: " + libbpf_error_text(err));
}

void PrivTracer::attach() { impl_->links.attach_all("priv", impl_->skel->obj, impl_->cgroup_fd); }

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
