/* In-kernel cgroup scoping, shared by every tracer family.
 *
 * jt_scope is a CGROUP_ARRAY filled by user space before any program is attached:
 *   index 0: the target (pod) cgroup; its whole subtree is in scope;
 *   index 1: the sidecar's own container cgroup, excluded (empty slot = nothing excluded).
 * Call in_scope() first thing in every program, BEFORE any ring-buffer reserve/output, so no
 * event of another cgroup ever reaches user space. Objects other than process.bpf.c share
 * the process object's map with bpf_map__reuse_fd() before load (sidecar/tracer.hpp). */
#ifndef JOBTRAIL_SCOPE_BPF_H
#define JOBTRAIL_SCOPE_BPF_H

#define JT_SCOPE_TARGET 0
#define JT_SCOPE_EXCLUDED 1

struct {
  __uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
  __uint(max_entries, 2);
  __type(key, __u32);
  __type(value, __u32);
} jt_scope SEC(".maps");

/* bpf_current_task_under_cgroup returns 1 (under), 0 (not under) or <0 (empty slot). */
static __always_inline int in_scope(void)
{
  if (bpf_current_task_under_cgroup(&jt_scope, JT_SCOPE_TARGET) != 1)
    return 0;
  if (bpf_current_task_under_cgroup(&jt_scope, JT_SCOPE_EXCLUDED) == 1)
    return 0;
  return 1;
}

/* cgroup_sock and cgroup_sock_addr programs may call bpf_current_task_under_cgroup only from
 * 6.12 (before, it is a tracing-only helper). There the loader sets jt_scope_by_ancestor_id and
 * the two cgroup ids, and the same scope is decided from the current task's cgroup ancestors
 * (bpf_get_current_ancestor_cgroup_id, offered to these hooks since 5.7). The switch is rodata:
 * the verifier never visits the branch a kernel cannot offer. */
const volatile bool jt_scope_by_ancestor_id = false;
const volatile __u64 jt_target_cgroup_id = 0;
const volatile __u64 jt_excluded_cgroup_id = 0; /* 0: nothing excluded */
#define JT_CGROUP_DEPTH_MAX 32 /* deeper pods are out of scope: fails closed */

static __always_inline int jt_current_under_cgroup_id(__u64 id)
{
  for (int level = 0; level < JT_CGROUP_DEPTH_MAX; level++) {
    __u64 ancestor = bpf_get_current_ancestor_cgroup_id(level);
    if (ancestor == id)
      return 1;
    if (!ancestor) /* level beyond the task's own cgroup */
      return 0;
  }
  return 0;
}

/* in_scope() for programs of the cgroup sock hooks (process context). */
static __always_inline int in_scope_sock_hook(void)
{
  if (!jt_scope_by_ancestor_id)
    return in_scope();
  if (!jt_current_under_cgroup_id(jt_target_cgroup_id))
    return 0;
  if (jt_excluded_cgroup_id && jt_current_under_cgroup_id(jt_excluded_cgroup_id))
    return 0;
  return 1;
}

#endif
