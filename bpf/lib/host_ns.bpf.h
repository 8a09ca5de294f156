/* Is the namespace a setns(2) joins one of the HOST's (the initial namespaces, init_task's
 * nsproxy)? Decided in the kernel by namespace inode number: an nsfs inode's i_ino is the
 * namespace's ns.inum, unique across all namespace types.
 *
 * init_task is reached by walking real_parent up from the current task (every task descends
 * from it; pid 1's parent is init_task, pid 0). `extern struct task_struct init_task __ksym`
 * would be O(1), but kernels built without CONFIG_KALLSYMS_ALL have neither a kallsyms entry
 * nor a BTF VAR for it (BTF carries per-CPU variables only), so the ksym cannot be resolved
 * there; the walk only runs for setns calls, which are rare. */
#ifndef JOBTRAIL_HOST_NS_BPF_H
#define JOBTRAIL_HOST_NS_BPF_H

#include "fd.bpf.h" /* jt_fd_file */

#define JT_NSFS_MAGIC 0x6e736673
#define JT_HOST_WALK_MAX 128 /* process tree depth; deeper trees leave host_ns undecided */

/* One inode number per kind, in enum jt_priv_host_ns bit order (events/priv.h). */
enum jt_setns_kind { JT_SK_MNT, JT_SK_PID, JT_SK_NET, JT_SK_UTS, JT_SK_IPC, JT_SK_USER, JT_SK_CGROUP, JT_SK_TIME,
                     JT_SK_COUNT };

/* The namespaces setns changes: pid and time are the *_for_children ones (setns(CLONE_NEWPID)
 * moves the caller's future children, not the caller). For init_task they equal its own. */
static __always_inline void jt_setns_namespaces(struct task_struct *task, __u32 *inum)
{
  struct nsproxy *nsp = BPF_CORE_READ(task, nsproxy);
  inum[JT_SK_MNT] = BPF_CORE_READ(nsp, mnt_ns, ns.inum);
  inum[JT_SK_PID] = BPF_CORE_READ(nsp, pid_ns_for_children, ns.inum);
  inum[JT_SK_NET] = BPF_CORE_READ(nsp, net_ns, ns.inum);
  inum[JT_SK_UTS] = BPF_CORE_READ(nsp, uts_ns, ns.inum);
  inum[JT_SK_IPC] = BPF_CORE_READ(nsp, ipc_ns, ns.inum);
  inum[JT_SK_USER] = BPF_CORE_READ(task, cred, user_ns, ns.inum);
  inum[JT_SK_CGROUP] = BPF_CORE_READ(nsp, cgroup_ns, ns.inum);
  inum[JT_SK_TIME] = 0;
  /* time namespaces: Linux 5.6 (769071ac9f20 "ns: Introduce Time Namespace") */
  if (bpf_core_field_exists(nsp->time_ns_for_children))
    inum[JT_SK_TIME] = BPF_CORE_READ(nsp, time_ns_for_children, ns.inum);
}

/* init_task (pid 0 at the top of the real_parent chain), or NULL if not reached. */
static __always_inline struct task_struct *jt_init_task(void)
{
  struct task_struct *t = (struct task_struct *)bpf_get_current_task();
  for (int i = 0; i < JT_HOST_WALK_MAX && t; i++) {
    if (BPF_CORE_READ(t, pid) == 0)
      return t;
    struct task_struct *parent = BPF_CORE_READ(t, real_parent);
    if (parent == t)
      return 0; /* only init_task is its own parent, and its pid is 0 */
    t = parent;
  }
  return 0;
}

/* CLONE_NEW* flag of each kind (setns' nstype argument). */
static __always_inline __u64 jt_setns_kind_flag(int kind)
{
  switch (kind) {
  case JT_SK_MNT: return 0x00020000;
  case JT_SK_PID: return 0x20000000;
  case JT_SK_NET: return 0x40000000;
  case JT_SK_UTS: return 0x04000000;
  case JT_SK_IPC: return 0x08000000;
  case JT_SK_USER: return 0x10000000;
  case JT_SK_CGROUP: return 0x02000000;
  case JT_SK_TIME: return 0x00000080;
  }
  return 0;
}

/* At sys_exit of setns(fd, nstype) returning `ret`: a JT_HOST_NS_* mask of the host's
 * namespaces the call joined (or tried to join), JT_HOST_NS_DECIDED set when the answer is
 * known; *target_inum gets the namespace inode of an nsfs fd (0 otherwise).
 * - fd of a namespace file (/proc/PID/ns/KIND): its inode is the target; decided even when
 *   the call failed (an attempt on the host's namespace is what matters).
 * - pidfd (Linux 5.8): the target is a process; after a successful call the caller is in the
 *   target's namespaces of the kinds in nstype, so those are compared. A failed pidfd call
 *   stays undecided. */
static __always_inline __u16 jt_setns_host_ns(int fd, __u64 nstype, long ret, __u32 *target_inum)
{
  *target_inum = 0;
  struct task_struct *init = jt_init_task();
  if (!init)
    return 0;
  __u32 host[JT_SK_COUNT];
  jt_setns_namespaces(init, host);
  struct file *f = fd >= 0 ? jt_fd_file(fd) : 0;
  struct inode *ino = f ? BPF_CORE_READ(f, f_inode) : 0;
  if (ino && BPF_CORE_READ(ino, i_sb, s_magic) == JT_NSFS_MAGIC) {
    __u32 inum = BPF_CORE_READ(ino, i_ino);
    *target_inum = inum;
    __u16 mask = JT_HOST_NS_DECIDED;
    for (int k = 0; k < JT_SK_COUNT; k++)
      if (inum && host[k] == inum)
        mask |= 1 << k;
    return mask;
  }
  if (ret != 0)
    return 0;
  __u32 now[JT_SK_COUNT];
  jt_setns_namespaces((struct task_struct *)bpf_get_current_task(), now);
  __u16 mask = JT_HOST_NS_DECIDED;
  for (int k = 0; k < JT_SK_COUNT; k++)
    if ((nstype & jt_setns_kind_flag(k)) && now[k] && now[k] == host[k])
      mask |= 1 << k;
  return mask;
}

#endif
