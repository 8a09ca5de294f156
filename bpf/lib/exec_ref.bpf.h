/* tgid -> exec reference, so every event can carry the exec_id of its process.
 *
 * Owned by process.bpf.c: it writes an entry at exec (new exec_id), copies the parent's
 * entry at fork (a fork without exec keeps its parent's exec ref) and deletes it when the
 * last thread of the process exits. Other families only READ it via current_exec_id();
 * their objects share the map with bpf_map__reuse_fd() before load. */
#ifndef JOBTRAIL_EXEC_REF_BPF_H
#define JOBTRAIL_EXEC_REF_BPF_H

struct jt_exec_ref {
  __u64 exec_id;        /* unique per exec within one sidecar run (counter, from 1) */
  __u64 parent_exec_id; /* exec ref the process had before this exec (its parent's, after fork) */
  __u64 start_ns;       /* bpf_ktime_get_ns() at fork (or at exec if the fork was not seen) */
};

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 65536);
  __type(key, __u32); /* tgid (host) */
  __type(value, struct jt_exec_ref);
} jt_exec_ref SEC(".maps");

static __always_inline __u64 current_exec_id(void)
{
  __u32 tgid = bpf_get_current_pid_tgid() >> 32;
  struct jt_exec_ref *ref = bpf_map_lookup_elem(&jt_exec_ref, &tgid);
  return ref ? ref->exec_id : 0;
}

/* The header of a record about the current task (every family but process, which sets a
 * new exec_id at exec). */
static __always_inline void jt_header_current(struct event_header *h, __u16 type, __u32 size)
{
  __u64 id = bpf_get_current_pid_tgid();
  h->type = type;
  h->flags = 0;
  h->size = size;
  h->ktime_ns = bpf_ktime_get_ns();
  h->pid = id >> 32;
  h->tid = (__u32)id;
  h->exec_id = current_exec_id();
  h->cgroup_id = bpf_get_current_cgroup_id();
}

#endif
