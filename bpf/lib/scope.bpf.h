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

#endif
