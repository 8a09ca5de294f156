#include "sidecar/net_tracer.hpp"

#include <bpf/libbpf.h>

#include <spdlog/spdlog.h>

#include "bpf/events/net.h"
#include "net.skel.h"
#include "sidecar/kernel_probe.hpp"
#include "trail/dns/name_table.hpp"
#include "trail/dns/tcp_stream.hpp"
#include "trail/events/net_decode.hpp"
#include "trail/events/types.hpp"

namespace jobtrail::sidecar {

struct NetTracer::Impl {
  net* skel = nullptr;  // owned by the base
  bool scope_by_ancestor_id = false;
  dns::NameTable names;
  dns::TcpStreams tcp_dns;  // DNS over TCP: messages split across or packed into segments
};

NetTracer::NetTracer()
    : BpfTracer("net",
                {{{JT_EV_NET_CONNECT, events::type_name::net_connect},
                  {JT_EV_NET_ACCEPT, events::type_name::net_accept},
                  {JT_EV_NET_CLOSE, events::type_name::net_close},
                  {JT_EV_NET_UDP, events::type_name::net_udp},
                  {JT_EV_DNS_PACKET, events::lost_type::dns_packet}},
                 events::lost_type::net_other}),
      impl_(std::make_unique<Impl>()) {}
NetTracer::~NetTracer() = default;

BpfTracer::Skeleton NetTracer::open_skeleton() {
  impl_->skel = net__open();
  return {impl_->skel, net__load, net__destroy};
}

void NetTracer::before_load(const TracerContext& ctx) {
  // The cgroup sock hooks scope with bpf_current_task_under_cgroup where the kernel offers it
  // to them (6.12+), else by the task's cgroup ancestor ids: in the kernel either way.
  auto* ro = impl_->skel->rodata;
  impl_->scope_by_ancestor_id = !helper_offered(BPF_PROG_TYPE_CGROUP_SOCK, BPF_FUNC_current_task_under_cgroup) ||
                                !helper_offered(BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_FUNC_current_task_under_cgroup);
  ro->jt_scope_by_ancestor_id = impl_->scope_by_ancestor_id;
  ro->jt_target_cgroup_id = ctx.target_cgroup_id;
  ro->jt_excluded_cgroup_id = ctx.excluded_cgroup_id;
}

nlohmann::json NetTracer::features() const {
  return {{"sock_hook_scope", impl_->scope_by_ancestor_id ? "ancestor-cgroup-id" : "task-under-cgroup"}};
}

std::optional<nlohmann::json> NetTracer::decode(const void* data, std::size_t size) {
  std::string why;
  auto j = events::decode_net_record(data, size, impl_->names, impl_->tcp_dns, &why);
  if (!j) spdlog::warn("net tracer: bad record: {}", why);
  return j;
}

void NetTracer::add_own_losses(std::map<std::string, std::uint64_t>& totals) {
  // unfinished DNS-over-TCP messages dropped to keep the reassembly bounded
  if (auto n = impl_->tcp_dns.evicted()) totals[events::lost_type::dns_tcp_reassembly] = n;
}

}  // namespace jobtrail::sidecar
