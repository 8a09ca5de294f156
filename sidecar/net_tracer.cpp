#include "sidecar/net_tracer.hpp"

#include <bpf/libbpf.h>

#include <cerrno>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "bpf/events/net.h"
#include "net.skel.h"
#include "sidecar/bpf_attach.hpp"
#include "sidecar/kernel_probe.hpp"
#include "sidecar/loss_names.hpp"
#include "trail/dns/name_table.hpp"
#include "trail/dns/tcp_stream.hpp"
#include "trail/events/net_decode.hpp"
#include "trail/events/types.hpp"

namespace jobtrail::sidecar {

struct NetTracer::Impl {
  struct Destroy {
    void operator()(net* s) const { net__destroy(s); }
  };
  std::unique_ptr<net, Destroy> owner;
  net* skel = nullptr;
  int cgroup_fd = -1;
  bool scope_by_ancestor_id = false;
  dns::NameTable names;
  dns::TcpStreams tcp_dns;  // DNS over TCP: messages split across or packed into segments
  Links links;  // declared after the skeleton: detached before it is destroyed
};

NetTracer::NetTracer() : impl_(std::make_unique<Impl>()) {}
NetTracer::~NetTracer() = default;

void NetTracer::open_and_load(const TracerContext& ctx) {
  impl_->owner.reset(net__open());
  impl_->skel = impl_->owner.get();
  if (!impl_->skel) throw std::runtime_error("net tracer: cannot open BPF object: " + libbpf_error_text(errno));
  disable_missing_tracepoints("net", impl_->skel->obj);
  reuse_shared_maps("net", impl_->skel->maps.jt_scope, impl_->skel->maps.jt_exec_ref, ctx);
  set_ring_buffer_size("net", impl_->skel->maps.rb, ctx);
  impl_->cgroup_fd = ctx.target_cgroup_fd;
  // The cgroup sock hooks scope with bpf_current_task_under_cgroup where the kernel offers it
  // to them (6.12+), else by the task's cgroup ancestor ids: in the kernel either way.
  auto* ro = impl_->skel->rodata;
  impl_->scope_by_ancestor_id = !helper_offered(BPF_PROG_TYPE_CGROUP_SOCK, BPF_FUNC_current_task_under_cgroup) ||
                                !helper_offered(BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_FUNC_current_task_under_cgroup);
  ro->jt_scope_by_ancestor_id = impl_->scope_by_ancestor_id;
  ro->jt_target_cgroup_id = ctx.target_cgroup_id;
  ro->jt_excluded_cgroup_id = ctx.excluded_cgroup_id;
  if (int err = net__load(impl_->skel)) throw std::runtime_error("net tracer: BPF load failed: " + libbpf_error_text(err));
}

nlohmann::json NetTracer::features() const {
  return {{"sock_hook_scope", impl_->scope_by_ancestor_id ? "ancestor-cgroup-id" : "task-under-cgroup"}};
}

void NetTracer::attach() { impl_->links.attach_all("net", impl_->skel->obj, impl_->cgroup_fd); }

int NetTracer::ring_buffer_fd() const { return bpf_map__fd(impl_->skel->maps.rb); }

std::optional<nlohmann::json> NetTracer::decode(const void* data, std::size_t size) {
  std::string why;
  auto j = events::decode_net_record(data, size, impl_->names, impl_->tcp_dns, &why);
  if (!j) spdlog::warn("net tracer: bad record: {}", why);
  return j;
}

std::map<std::string, std::uint64_t> NetTracer::read_losses() {
  auto out = name_losses(read_percpu_loss_map(bpf_map__fd(impl_->skel->maps.jt_loss)), [](std::uint32_t type) {
    return type == JT_EV_NET_CONNECT  ? events::type_name::net_connect
           : type == JT_EV_NET_ACCEPT ? events::type_name::net_accept
           : type == JT_EV_NET_CLOSE  ? events::type_name::net_close
           : type == JT_EV_NET_UDP    ? events::type_name::net_udp
           : type == JT_EV_DNS_PACKET ? "dns_packet"
                                      : "net_other";
  });
  // unfinished DNS-over-TCP messages dropped to keep the reassembly bounded
  if (auto n = impl_->tcp_dns.evicted()) out["dns_tcp_reassembly"] = n;
  return out;
}

}  // namespace jobtrail::sidecar
