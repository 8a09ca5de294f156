/* Who owns a socket, kept in socket-local storage so that programs running in softirq
 * context (sock_ops state changes, cgroup_skb ingress) can attribute an event to the process
 * that created or connected the socket. The owner is written only by programs that run in
 * process context and passed in_scope(): a socket without an owner belongs to no traced
 * process (the sidecar itself, or a socket created before tracing began) and yields no event.
 * BPF_F_CLONE: an accepted socket inherits its listener's owner. */
#ifndef JOBTRAIL_SOCK_OWNER_BPF_H
#define JOBTRAIL_SOCK_OWNER_BPF_H

struct jt_sock_owner {
  __u32 pid, tid;
  __u64 exec_id;
  __u64 cgroup_id;
  __u64 established_ns; /* sock_ops: connection established (0: never) */
  __u32 incoming;       /* established by a passive open */
  __u32 pad;
  struct jt_flow udp;   /* current UDP flow of this socket (udp_datagrams > 0) */
  __u64 udp_datagrams;
  __u64 udp_bytes;
};

struct {
  __uint(type, BPF_MAP_TYPE_SK_STORAGE);
  __uint(map_flags, BPF_F_NO_PREALLOC | BPF_F_CLONE);
  __type(key, int);
  __type(value, struct jt_sock_owner);
} jt_sock_owner SEC(".maps");

/* Process context only (after in_scope()). */
static __always_inline void jt_owner_set_current(struct jt_sock_owner *o)
{
  __u64 id = bpf_get_current_pid_tgid();
  o->pid = id >> 32;
  o->tid = (__u32)id;
  o->exec_id = current_exec_id();
  o->cgroup_id = bpf_get_current_cgroup_id();
}

static __always_inline void jt_header_from_owner(struct event_header *h, __u16 type, __u32 size,
                                                 const struct jt_sock_owner *o)
{
  h->type = type;
  h->flags = 0;
  h->size = size;
  h->ktime_ns = bpf_ktime_get_ns();
  h->pid = o->pid;
  h->tid = o->tid;
  h->exec_id = o->exec_id;
  h->cgroup_id = o->cgroup_id;
}

#endif
