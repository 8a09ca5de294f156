// SPDX-License-Identifier: GPL-2.0
/* Net and DNS family: TCP connect/accept results (syscall tracepoints, process context),
 * TCP close with byte counts (sock_ops), UDP flows and DNS packets (cgroup_skb).
 *
 * Scoping: tracepoints call in_scope() first, the process-context cgroup hooks (sock_create,
 * connect4/6, sock_release) in_scope_sock_hook(). sock_ops and cgroup_skb run for sockets of the target
 * cgroup only (attached there) and often in softirq, where the current task means nothing:
 * they emit only for sockets carrying an owner (lib/sock_owner.bpf.h), which only in-scope
 * process-context programs write; so the sidecar's own sockets never yield events. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include "events/net.h"
#include "lib/scope.bpf.h"
#include "lib/exec_ref.bpf.h"
#include "lib/loss.bpf.h"
#include "lib/ring.bpf.h"
#include "lib/wakeup.bpf.h"
#include "lib/sock_owner.bpf.h"
#include "lib/sockfd.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define TCP_CLOSE_STATE 7
/* enum tcp_state values are UAPI-stable (include/net/tcp_states.h) */
#define TCP_FIN_WAIT2 5
#define TCP_TIME_WAIT 6
#define TCP_CLOSE_WAIT 8
#define TCP_LAST_ACK 9
#define TCP_CLOSING 11
#define DNS_PORT 53

/* connect() arguments between sys_enter and sys_exit, per thread */
struct connect_args {
  __u32 fd;
  __u32 addrlen;
  __u8 addr[28]; /* sockaddr_in or sockaddr_in6 */
};

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 16384);
  __type(key, __u32); /* tid */
  __type(value, struct connect_args);
} connect_args SEC(".maps");

/* accept() in flight per thread: value unused (the result fd comes at sys_exit) */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 16384);
  __type(key, __u32);
  __type(value, __u32);
} accepting SEC(".maps");

/* ---- process-context cgroup hooks: who owns a socket ---- */

SEC("cgroup/sock_create")
int cgroup_sock_create(struct bpf_sock *sk)
{
  if (!in_scope_sock_hook())
    return 1;
  struct jt_sock_owner *o = bpf_sk_storage_get(&jt_sock_owner, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
  if (o)
    jt_owner_set_current(o);
  return 1;
}

static __always_inline int set_owner_at_connect(struct bpf_sock_addr *ctx)
{
  if (!in_scope_sock_hook())
    return 1;
  struct bpf_sock *sk = ctx->sk;
  if (!sk)
    return 1;
  struct jt_sock_owner *o = bpf_sk_storage_get(&jt_sock_owner, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
  if (o)
    jt_owner_set_current(o); /* the connecting process, e.g. a child that inherited the socket */
  return 1;
}

SEC("cgroup/connect4")
int cgroup_connect4(struct bpf_sock_addr *ctx) { return set_owner_at_connect(ctx); }

SEC("cgroup/connect6")
int cgroup_connect6(struct bpf_sock_addr *ctx) { return set_owner_at_connect(ctx); }

static __always_inline void emit_udp_flow(struct jt_sock_owner *o)
{
  if (!o->udp_datagrams)
    return;
  struct net_udp_event *e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
  if (!e) {
    count_loss(JT_EV_NET_UDP);
    return;
  }
  jt_header_from_owner(&e->hdr, JT_EV_NET_UDP, sizeof(*e), o);
  e->flow = o->udp;
  e->datagrams = o->udp_datagrams;
  e->bytes = o->udp_bytes;
  bpf_ringbuf_submit(e, jt_wakeup_flags(&rb));
  o->udp_datagrams = 0;
  o->udp_bytes = 0;
}

SEC("cgroup/sock_release")
int cgroup_sock_release(struct bpf_sock *sk)
{
  if (!in_scope_sock_hook())
    return 1;
  struct jt_sock_owner *o = bpf_sk_storage_get(&jt_sock_owner, sk, 0, 0);
  if (o)
    emit_udp_flow(o);
  return 1;
}

/* ---- connect / accept results: syscall tracepoints ---- */

SEC("tp/syscalls/sys_enter_connect")
int tracepoint__syscalls__sys_enter_connect(struct trace_event_raw_sys_enter *ctx)
{
  if (!in_scope())
    return 0;
  struct connect_args a = {};
  a.fd = (__u32)ctx->args[0];
  a.addrlen = (__u32)ctx->args[2];
  bpf_probe_read_user(a.addr, sizeof(a.addr), (void *)ctx->args[1]);
  __u32 tid = (__u32)bpf_get_current_pid_tgid();
  if (bpf_map_update_elem(&connect_args, &tid, &a, BPF_ANY)) /* its net_connect cannot be built at exit */
    count_loss_cause(JT_LOSS_MAP_FULL, JT_EV_NET_CONNECT);
  return 0;
}

SEC("tp/syscalls/sys_exit_connect")
int tracepoint__syscalls__sys_exit_connect(struct trace_event_raw_sys_exit *ctx)
{
  if (!in_scope())
    return 0;
  __u32 tid = (__u32)bpf_get_current_pid_tgid();
  struct connect_args *a = bpf_map_lookup_elem(&connect_args, &tid);
  if (!a)
    return 0;
  struct jt_flow fl = {};
  struct sock *sk = jt_fd_sock(a->fd);
  if (!sk || !jt_sock_flow(sk, &fl)) {
    bpf_map_delete_elem(&connect_args, &tid);
    return 0;
  }
  /* destination as the caller asked (the socket's is unset after a failure) */
  __u16 family = 0;
  __builtin_memcpy(&family, a->addr, 2);
  if (family != fl.family) { /* AF_UNSPEC disconnect, or a v4-mapped oddity: skip */
    bpf_map_delete_elem(&connect_args, &tid);
    return 0;
  }
  __u16 port_be = 0;
  __builtin_memcpy(&port_be, a->addr + 2, 2);
  fl.dst_port = bpf_ntohs(port_be);
  __builtin_memset(fl.dst, 0, 16);
  if (family == JT_AF_INET)
    __builtin_memcpy(fl.dst, a->addr + 4, 4);
  else
    __builtin_memcpy(fl.dst, a->addr + 8, 16);
  bpf_map_delete_elem(&connect_args, &tid);

  struct net_conn_event *e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
  if (!e) {
    count_loss(JT_EV_NET_CONNECT);
    return 0;
  }
  jt_header_current(&e->hdr, JT_EV_NET_CONNECT, sizeof(*e));
  e->flow = fl;
  e->result = (__s32)ctx->ret;
  e->pad = 0;
  bpf_ringbuf_submit(e, jt_wakeup_flags(&rb));
  return 0;
}

static __always_inline int accept_enter(void)
{
  if (!in_scope())
    return 0;
  __u32 tid = (__u32)bpf_get_current_pid_tgid(), one = 1;
  if (bpf_map_update_elem(&accepting, &tid, &one, BPF_ANY)) /* its net_accept is never sent */
    count_loss_cause(JT_LOSS_MAP_FULL, JT_EV_NET_ACCEPT);
  return 0;
}

static __always_inline int accept_exit(long ret)
{
  if (!in_scope())
    return 0;
  __u32 tid = (__u32)bpf_get_current_pid_tgid();
  if (!bpf_map_lookup_elem(&accepting, &tid))
    return 0;
  bpf_map_delete_elem(&accepting, &tid);
  if (ret < 0)
    return 0; /* EAGAIN on non-blocking listeners is noise, not a fact about a peer */
  struct jt_flow fl = {};
  struct sock *sk = jt_fd_sock((__u32)ret);
  if (!sk || !jt_sock_flow(sk, &fl) || fl.protocol != JT_PROTO_TCP)
    return 0;
  struct net_conn_event *e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
  if (!e) {
    count_loss(JT_EV_NET_ACCEPT);
    return 0;
  }
  jt_header_current(&e->hdr, JT_EV_NET_ACCEPT, sizeof(*e));
  e->flow = fl;
  e->result = (__s32)ret;
  e->pad = 0;
  bpf_ringbuf_submit(e, jt_wakeup_flags(&rb));
  return 0;
}

SEC("tp/syscalls/sys_enter_accept")
int tracepoint__syscalls__sys_enter_accept(struct trace_event_raw_sys_enter *ctx) { return accept_enter(); }
SEC("tp/syscalls/sys_exit_accept")
int tracepoint__syscalls__sys_exit_accept(struct trace_event_raw_sys_exit *ctx) { return accept_exit(ctx->ret); }
SEC("tp/syscalls/sys_enter_accept4")
int tracepoint__syscalls__sys_enter_accept4(struct trace_event_raw_sys_enter *ctx) { return accept_enter(); }
SEC("tp/syscalls/sys_exit_accept4")
int tracepoint__syscalls__sys_exit_accept4(struct trace_event_raw_sys_exit *ctx) { return accept_exit(ctx->ret); }

/* ---- TCP lifetime and byte counts: sock_ops ---- */

SEC("sockops")
int sockops_tcp(struct bpf_sock_ops *ctx)
{
  struct bpf_sock *sk = ctx->sk;
  if (!sk)
    return 1;
  switch (ctx->op) {
  case BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB:
  case BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB: {
    struct jt_sock_owner *o = bpf_sk_storage_get(&jt_sock_owner, sk, 0, 0);
    if (!o)
      return 1; /* not a traced process's socket */
    o->established_ns = bpf_ktime_get_ns();
    o->incoming = ctx->op == BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB;
    bpf_sock_ops_cb_flags_set(ctx, ctx->bpf_sock_ops_cb_flags | BPF_SOCK_OPS_STATE_CB_FLAG);
    return 1;
  }
  case BPF_SOCK_OPS_STATE_CB: {
    if (ctx->args[1] != TCP_CLOSE_STATE)
      return 1;
    struct jt_sock_owner *o = bpf_sk_storage_get(&jt_sock_owner, sk, 0, 0);
    if (!o || !o->established_ns)
      return 1;
    struct net_close_event *e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
    if (!e) {
      count_loss(JT_EV_NET_CLOSE);
      return 1;
    }
    jt_header_from_owner(&e->hdr, JT_EV_NET_CLOSE, sizeof(*e), o);
    __builtin_memset(&e->flow, 0, sizeof(e->flow));
    e->flow.family = ctx->family;
    e->flow.protocol = JT_PROTO_TCP;
    e->flow.src_port = ctx->local_port;                      /* host order */
    e->flow.dst_port = bpf_ntohl(ctx->remote_port) & 0xffff; /* network order in a u32 */
    if (ctx->family == JT_AF_INET) {
      __u32 s = ctx->local_ip4, d = ctx->remote_ip4;
      __builtin_memcpy(e->flow.src, &s, 4);
      __builtin_memcpy(e->flow.dst, &d, 4);
    } else {
      __u32 s[4] = {ctx->local_ip6[0], ctx->local_ip6[1], ctx->local_ip6[2], ctx->local_ip6[3]};
      __u32 d[4] = {ctx->remote_ip6[0], ctx->remote_ip6[1], ctx->remote_ip6[2], ctx->remote_ip6[3]};
      __builtin_memcpy(e->flow.src, s, 16);
      __builtin_memcpy(e->flow.dst, d, 16);
    }
    /* bytes_acked/bytes_received count sequence space: the SYN of an active open and the
     * FINs are one byte each. Payload = sequence bytes minus those, judged from the state
     * the connection closes from (exact for orderly closes; after a FIN_WAIT2 timeout
     * without the peer's FIN, received may be one too low). */
    __u32 old = ctx->args[0];
    __u32 fin_received = old == TCP_FIN_WAIT2 || old == TCP_CLOSING || old == TCP_CLOSE_WAIT ||
                         old == TCP_LAST_ACK || old == TCP_TIME_WAIT;
    __u32 fin_acked = old == TCP_FIN_WAIT2 || old == TCP_CLOSING || old == TCP_LAST_ACK || old == TCP_TIME_WAIT;
    __u64 seq_sent = ctx->bytes_acked, seq_received = ctx->bytes_received;
    __u64 overhead = fin_acked + (o->incoming ? 0 : 1);
    e->bytes_sent = seq_sent > overhead ? seq_sent - overhead : 0;
    e->bytes_received = seq_received > fin_received ? seq_received - fin_received : 0;
    e->duration_ns = e->hdr.ktime_ns - o->established_ns;
    e->flags = o->incoming ? JT_CLOSE_INCOMING : 0;
    e->pad = 0;
    o->established_ns = 0; /* one close record per connection */
    bpf_ringbuf_submit(e, jt_wakeup_flags(&rb));
    return 1;
  }
  }
  return 1;
}

/* ---- packets: UDP flows and DNS payloads (cgroup_skb) ---- */

struct l4_info {
  struct jt_flow flow;
  __u32 payload_off; /* from the network header */
  __u32 payload_len;
};

/* Parses IPv4/IPv6 + UDP/TCP headers; returns 0 for anything else. */
static __always_inline int parse_l4(struct __sk_buff *skb, struct l4_info *l4)
{
  __u32 l4_off;
  __u8 proto;
  __u32 total;
  if (skb->protocol == bpf_htons(0x0800)) {
    struct iphdr ip;
    if (bpf_skb_load_bytes(skb, 0, &ip, sizeof(ip)))
      return 0;
    if (ip.frag_off & bpf_htons(0x1fff))
      return 0; /* non-first fragment: no L4 header */
    proto = ip.protocol;
    l4_off = (ip.ihl & 0xf) * 4;
    total = bpf_ntohs(ip.tot_len);
    l4->flow.family = JT_AF_INET;
    __builtin_memcpy(l4->flow.src, &ip.saddr, 4);
    __builtin_memcpy(l4->flow.dst, &ip.daddr, 4);
  } else if (skb->protocol == bpf_htons(0x86DD)) {
    struct ipv6hdr ip6;
    if (bpf_skb_load_bytes(skb, 0, &ip6, sizeof(ip6)))
      return 0;
    proto = ip6.nexthdr; /* extension headers are not followed */
    l4_off = sizeof(ip6);
    total = sizeof(ip6) + bpf_ntohs(ip6.payload_len);
    l4->flow.family = JT_AF_INET6;
    __builtin_memcpy(l4->flow.src, &ip6.saddr, 16);
    __builtin_memcpy(l4->flow.dst, &ip6.daddr, 16);
  } else {
    return 0;
  }
  l4->flow.protocol = proto;
  if (proto == JT_PROTO_UDP) {
    struct udphdr uh;
    if (bpf_skb_load_bytes(skb, l4_off, &uh, sizeof(uh)))
      return 0;
    l4->flow.src_port = bpf_ntohs(uh.source);
    l4->flow.dst_port = bpf_ntohs(uh.dest);
    l4->payload_off = l4_off + sizeof(uh);
    __u32 ulen = bpf_ntohs(uh.len);
    l4->payload_len = ulen >= sizeof(uh) ? ulen - sizeof(uh) : 0;
    return 1;
  }
  if (proto == JT_PROTO_TCP) {
    struct tcphdr th;
    if (bpf_skb_load_bytes(skb, l4_off, &th, sizeof(th)))
      return 0;
    l4->flow.src_port = bpf_ntohs(th.source);
    l4->flow.dst_port = bpf_ntohs(th.dest);
    __u32 hl = th.doff * 4;
    l4->payload_off = l4_off + hl;
    l4->payload_len = total > l4_off + hl ? total - l4_off - hl : 0;
    return 1;
  }
  return 0;
}

static __always_inline void capture_dns(struct __sk_buff *skb, struct l4_info *l4, struct jt_sock_owner *o,
                                        __u32 flags)
{
  if (!l4->payload_len)
    return; /* TCP handshake/ACK segments */
  struct dns_packet_event *e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
  if (!e) {
    count_loss(JT_EV_DNS_PACKET);
    return;
  }
  jt_header_from_owner(&e->hdr, JT_EV_DNS_PACKET, sizeof(*e), o);
  e->flow = l4->flow;
  e->packet_len = l4->payload_len;
  e->flags = flags;
  e->pad = 0;
  __u32 len = l4->payload_len;
  if (len > JT_DNS_CAPTURE)
    len = JT_DNS_CAPTURE;
  /* len is in [1, JT_DNS_CAPTURE] here; the mask form lets the verifier see it too */
  __u32 n = ((len - 1) & (JT_DNS_CAPTURE - 1)) + 1;
  if (bpf_skb_load_bytes(skb, l4->payload_off, e->data, n))
    len = 0;
  e->captured_len = len;
  bpf_ringbuf_submit(e, jt_wakeup_flags(&rb));
}

static __always_inline struct jt_sock_owner *skb_owner(struct __sk_buff *skb)
{
  struct bpf_sock *sk = skb->sk;
  if (!sk)
    return 0;
  sk = bpf_sk_fullsock(sk);
  if (!sk)
    return 0;
  return bpf_sk_storage_get(&jt_sock_owner, sk, 0, 0);
}

static __always_inline int same_dst(const struct jt_flow *a, const struct jt_flow *b)
{
  __u64 a0, a1, b0, b1;
  __builtin_memcpy(&a0, a->dst, 8);
  __builtin_memcpy(&a1, a->dst + 8, 8);
  __builtin_memcpy(&b0, b->dst, 8);
  __builtin_memcpy(&b1, b->dst + 8, 8);
  return a->dst_port == b->dst_port && a->family == b->family && a0 == b0 && a1 == b1;
}

SEC("cgroup_skb/egress")
int cgroup_skb_egress(struct __sk_buff *skb)
{
  struct jt_sock_owner *o = skb_owner(skb);
  if (!o)
    return 1;
  struct l4_info l4 = {};
  if (!parse_l4(skb, &l4))
    return 1;
  if (l4.flow.dst_port == DNS_PORT)
    capture_dns(skb, &l4, o, 0);
  if (l4.flow.protocol == JT_PROTO_UDP) {
    if (o->udp_datagrams && !same_dst(&o->udp, &l4.flow))
      emit_udp_flow(o); /* the socket now talks to another destination: close the flow record */
    if (!o->udp_datagrams)
      o->udp = l4.flow;
    o->udp_datagrams += 1;
    o->udp_bytes += l4.payload_len;
  }
  return 1;
}

SEC("cgroup_skb/ingress")
int cgroup_skb_ingress(struct __sk_buff *skb)
{
  struct jt_sock_owner *o = skb_owner(skb);
  if (!o)
    return 1;
  struct l4_info l4 = {};
  if (!parse_l4(skb, &l4))
    return 1;
  if (l4.flow.src_port == DNS_PORT)
    capture_dns(skb, &l4, o, JT_DNS_INGRESS);
  return 1;
}
