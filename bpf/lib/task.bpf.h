/* Facts about a task read with CO-RE: pid-namespace pids, namespace inodes, fd 0/1 pipes. */
#ifndef JOBTRAIL_TASK_BPF_H
#define JOBTRAIL_TASK_BPF_H

#include "fd.bpf.h" /* S_IFMT, S_IFIFO, jt_fd_file */

/* tgid of `task` as seen from the pid namespace at `level` (0 if not visible there). */
static __always_inline __u32 jt_pid_at_level(struct task_struct *task, __u32 level)
{
  struct pid *pid = BPF_CORE_READ(task, group_leader, thread_pid);
  __u32 plevel = BPF_CORE_READ(pid, level);
  if (!pid || plevel < level)
    return 0;
  int nr = 0;
  bpf_core_read(&nr, sizeof(nr), &pid->numbers[level & 31].nr);
  return nr;
}

static __always_inline __u32 jt_pid_level(struct task_struct *task)
{
  return BPF_CORE_READ(task, group_leader, thread_pid, level);
}

static __always_inline void jt_read_namespaces(struct task_struct *task, __u32 *inum)
{
  inum[JT_NS_MNT] = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
  inum[JT_NS_NET] = BPF_CORE_READ(task, nsproxy, net_ns, ns.inum);
  inum[JT_NS_UTS] = BPF_CORE_READ(task, nsproxy, uts_ns, ns.inum);
  inum[JT_NS_IPC] = BPF_CORE_READ(task, nsproxy, ipc_ns, ns.inum);
  inum[JT_NS_CGROUP] = BPF_CORE_READ(task, nsproxy, cgroup_ns, ns.inum);
  inum[JT_NS_USER] = BPF_CORE_READ(task, cred, user_ns, ns.inum);
  /* the pid namespace the task lives in (not pid_ns_for_children) */
  struct pid *pid = BPF_CORE_READ(task, thread_pid);
  __u32 level = BPF_CORE_READ(pid, level);
  struct pid_namespace *ns = 0;
  bpf_core_read(&ns, sizeof(ns), &pid->numbers[level & 31].ns);
  inum[JT_NS_PID] = BPF_CORE_READ(ns, ns.inum);
}

/* Inode of the current task's fd `fd`; sets *is_pipe when it is a FIFO (pipe or named pipe). */
static __always_inline __u64 jt_fd_inode(__u32 fd, int *is_pipe)
{
  struct file *f = jt_fd_file(fd);
  *is_pipe = 0;
  if (!f)
    return 0;
  struct inode *ino = BPF_CORE_READ(f, f_inode);
  __u16 mode = BPF_CORE_READ(ino, i_mode);
  *is_pipe = (mode & S_IFMT) == S_IFIFO;
  return BPF_CORE_READ(ino, i_ino);
}

#endif
