// SPDX-License-Identifier: GPL-2.0
/* Process family: exec, fork (exec-ref inheritance only) and exit of the pod's tasks.
 * Thin: attach points here, helpers in lib/. Every program checks in_scope() first. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h> /* lib/sockfd.bpf.h uses bpf_ntohs */

#include "events/process.h"
#include "lib/scope.bpf.h"
#include "lib/exec_ref.bpf.h"
#include "lib/loss.bpf.h"
#include "lib/ring.bpf.h"
#include "lib/wakeup.bpf.h"
#include "lib/path.bpf.h"
#include "lib/fd.bpf.h"
#include "lib/sockfd.bpf.h"
#include "lib/task.bpf.h"
#include "lib/env.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define JT_DATA_SIZE (16384 + JT_ARGS_MAX)

/* Large exec records are built here, not on the 512-byte stack. A plain ARRAY indexed by CPU
 * (per-CPU arrays are limited to 32 KiB values); programs run with migration disabled. */
struct exec_scratch {
  struct process_exec_event e;
  char data[JT_DATA_SIZE];
  struct jt_path_state path;
  struct jt_env_state env;
  __u64 local_execs; /* execs numbered on this CPU (exec ids without atomic fetch-add) */
};

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 512); /* CPUs */
  __type(key, __u32);
  __type(value, struct exec_scratch);
} exec_scratch SEC(".maps");

__u64 jt_next_exec_id = 0;
const volatile __u32 jt_possible_cpus = 1; /* set by the loader: exec ids of the bounded variant */

/* Two variants of the exec program, the loader autoloads one (sidecar/process_tracer.cpp):
 *   raw_tracepoint__sched__sched_process_exec: bpf_loop (5.17+) for the path walks and the
 *     environment scan, one atomic fetch-add (5.12+) for exec ids;
 *   ..._exec_bounded: the same steps called from bounded loops as global functions. A global
 *     function is verified once, like a bpf_loop callback, but takes only scalars on 5.10, so
 *     each finds its state in this CPU's scratch. Exec ids: this CPU's count * CPUs + CPU + 1,
 *     unique without an atomic read-back. */
static __always_inline struct exec_scratch *this_cpu_scratch(void)
{
  __u32 cpu = bpf_get_smp_processor_id();
  return bpf_map_lookup_elem(&exec_scratch, &cpu);
}

__noinline int jt_path_step_bounded(__u32 index)
{
  struct exec_scratch *s = this_cpu_scratch();
  if (!s)
    return 1;
  struct jt_path_ctx c = {.st = &s->path};
  return jt_path_step(index, &c);
}

__noinline int jt_env_step_bounded(__u32 index)
{
  struct exec_scratch *s = this_cpu_scratch();
  if (!s)
    return 1;
  struct jt_env_scan c = {.st = &s->env};
  return jt_env_step(index, &c);
}

static __always_inline __u32 walk_path(struct path *p, struct path *root, struct exec_scratch *s, int *truncated,
                                       const bool bounded)
{
  if (!bounded)
    return jt_path_walk(p, root, &s->path, truncated);
  jt_path_walk_start(p, root, &s->path);
  for (__u32 i = 0; i < JT_PATH_STEPS; i++)
    if (jt_path_step_bounded(i))
      break;
  return jt_path_walk_result(&s->path, truncated);
}

static __always_inline void fill_header(struct event_header *h, __u16 type, __u64 exec_id)
{
  __u64 id = bpf_get_current_pid_tgid();
  h->type = type;
  h->flags = 0;
  h->ktime_ns = bpf_ktime_get_ns();
  h->pid = id >> 32;
  h->tid = (__u32)id;
  h->exec_id = exec_id;
  h->cgroup_id = bpf_get_current_cgroup_id();
}

/* Copies path text from s->path.buf[start..] into data at off; returns bytes copied (with NUL). */
static __always_inline __u32 put_path(struct exec_scratch *s, __u32 off, __u32 start)
{
  __u32 len = JT_PATH_MAX - start;
  if (len > JT_PATH_MAX)
    return 0;
  bpf_probe_read_kernel(s->data + (off & 0x3fff), len & (2 * JT_PATH_MAX - 1), s->path.buf + (start & (JT_PATH_MAX - 1)));
  return len;
}

/* A shell whose stdio is a network socket is a reverse shell: `flag` when fd is a socket, and
 * its connection in *fl (zeroed first; left zero for unix sockets) for the join with net events. */
static __always_inline __u32 jt_stdio_socket(__u32 fd, struct jt_flow *fl, __u32 flag)
{
  __builtin_memset(fl, 0, sizeof(*fl));
  struct sock *sk = jt_fd_sock(fd);
  if (!sk)
    return 0;
  jt_sock_flow(sk, fl);
  return flag;
}

/* fd is a terminal: major 4 (tty, console), 5 (/dev/tty, ptmx) or 136-143 (pty slaves). */
static __always_inline int jt_fd_is_tty(__u32 fd)
{
  struct file *f = jt_fd_file(fd);
  if (!f)
    return 0;
  struct inode *ino = BPF_CORE_READ(f, f_inode);
  if ((BPF_CORE_READ(ino, i_mode) & S_IFMT) != 0020000 /* S_IFCHR */)
    return 0;
  __u32 major = BPF_CORE_READ(ino, i_rdev) >> 20;
  return major == 4 || major == 5 || (major >= 136 && major <= 143);
}

static __always_inline int on_exec(struct bpf_raw_tracepoint_args *ctx, const bool bounded)
{
  if (!in_scope())
    return 0;
  __u32 cpu = bpf_get_smp_processor_id();
  struct exec_scratch *s = bpf_map_lookup_elem(&exec_scratch, &cpu);
  if (!s) { /* a CPU id beyond the scratch map: the exec is lost */
    count_loss_cause(JT_LOSS_SCRATCH, JT_EV_PROCESS_EXEC);
    return 0;
  }
  struct task_struct *task = (struct task_struct *)bpf_get_current_task();
  struct linux_binprm *bprm = (struct linux_binprm *)ctx->args[2];
  struct process_exec_event *e = &s->e;
  __u32 tgid = bpf_get_current_pid_tgid() >> 32;
  __u64 now = bpf_ktime_get_ns();

  /* new exec reference; the previous one (inherited at fork) becomes the parent */
  struct jt_exec_ref ref = {};
  struct jt_exec_ref *old = bpf_map_lookup_elem(&jt_exec_ref, &tgid);
  if (bounded)
    ref.exec_id = s->local_execs++ * jt_possible_cpus + cpu + 1;
  else
    ref.exec_id = __sync_fetch_and_add(&jt_next_exec_id, 1) + 1;
  ref.parent_exec_id = old ? old->exec_id : 0;
  ref.start_ns = old ? old->start_ns : now;
  bpf_map_update_elem(&jt_exec_ref, &tgid, &ref, BPF_ANY);

  fill_header(&e->hdr, JT_EV_PROCESS_EXEC, ref.exec_id);
  e->parent_exec_id = ref.parent_exec_id;
  e->old_tid = (__u32)ctx->args[1];
  e->ppid = BPF_CORE_READ(task, real_parent, tgid);
  __u32 level = jt_pid_level(task);
  e->ns_pid = jt_pid_at_level(task, level);
  e->ns_ppid = jt_pid_at_level(BPF_CORE_READ(task, real_parent), level);
  e->uid = BPF_CORE_READ(task, cred, uid.val);
  e->gid = BPF_CORE_READ(task, cred, gid.val);
  e->euid = BPF_CORE_READ(task, cred, euid.val);
  e->egid = BPF_CORE_READ(task, cred, egid.val);
  jt_read_namespaces(task, e->ns_inum);
  e->flags = 0;
  int pipe = 0;
  e->stdin_ino = jt_fd_inode(0, &pipe);
  if (pipe)
    e->flags |= JT_EXEC_STDIN_PIPE;
  e->stdout_ino = jt_fd_inode(1, &pipe);
  if (pipe)
    e->flags |= JT_EXEC_STDOUT_PIPE;
  e->flags |= jt_stdio_socket(0, &e->stdin_flow, JT_EXEC_STDIN_SOCKET);
  e->flags |= jt_stdio_socket(1, &e->stdout_flow, JT_EXEC_STDOUT_SOCKET);
  if (jt_fd_is_tty(0))
    e->flags |= JT_EXEC_STDIN_TTY;

  /* binary: the resolved path of the file being executed (symlinks and relative paths resolved) */
  struct path root;
  struct fs_struct *fsp = BPF_CORE_READ(task, fs);
  bpf_core_read(&root, sizeof(root), &fsp->root);
  struct path fpath;
  struct file *exe = BPF_CORE_READ(bprm, file);
  bpf_core_read(&fpath, sizeof(fpath), &exe->f_path);
  int trunc = 0;
  __u32 start = walk_path(&fpath, &root, s, &trunc, bounded);
  __u32 off = put_path(s, 0, start);
  e->binary_len = off;
  if (trunc)
    e->flags |= JT_EXEC_BINARY_TRUNCATED;

  struct path pwd;
  bpf_core_read(&pwd, sizeof(pwd), &fsp->pwd);
  trunc = 0;
  start = walk_path(&pwd, &root, s, &trunc, bounded);
  __u32 n = put_path(s, off, start);
  e->cwd_len = n;
  off += n;
  if (trunc)
    e->flags |= JT_EXEC_CWD_TRUNCATED;

  /* allow-listed environment only */
  struct mm_struct *mm = BPF_CORE_READ(task, mm);
  s->env.ptr = BPF_CORE_READ(mm, env_start);
  s->env.end = BPF_CORE_READ(mm, env_end);
  s->env.out_len = 0;
  s->env.flags = 0;
  s->env.skipping = 0;
  if (bounded) {
    for (__u32 i = 0; i < JT_ENV_VARS_MAX; i++)
      if (jt_env_step_bounded(i))
        break;
  } else {
    struct jt_env_scan scan = {.st = &s->env};
    bpf_loop(JT_ENV_VARS_MAX, jt_env_step, &scan, 0);
  }
  if (s->env.ptr < s->env.end) { /* stopped at JT_ENV_VARS_MAX or an unreadable page: a variable may be missing */
    s->env.flags |= JT_EXEC_ENV_TRUNCATED;
    count_loss_cause(JT_LOSS_SCAN_CUT, JT_EV_PROCESS_EXEC);
  }
  e->flags |= s->env.flags;
  __u32 elen = s->env.out_len;
  if (elen > JT_ENV_MAX)
    elen = JT_ENV_MAX;
  bpf_probe_read_kernel(s->data + (off & 0x3fff), elen & (2 * JT_ENV_MAX - 1), s->env.out);
  e->env_len = elen;
  off += elen;

  /* argv, complete up to JT_ARGS_MAX bytes */
  unsigned long arg_start = BPF_CORE_READ(mm, arg_start);
  unsigned long arg_end = BPF_CORE_READ(mm, arg_end);
  __u32 alen = arg_end > arg_start ? arg_end - arg_start : 0;
  if (alen > JT_ARGS_MAX) {
    alen = JT_ARGS_MAX;
    e->flags |= JT_EXEC_ARGS_TRUNCATED;
  }
  off &= 0x3fff;
  __u64 sz = alen;
  asm volatile("%0 &= 0x1ffff" : "+r"(sz)); /* keep the bound visible to the verifier */
  if (sz > JT_ARGS_MAX)
    sz = JT_ARGS_MAX;
  if (sz && bpf_probe_read_user(s->data + off, sz, (void *)arg_start) != 0) {
    sz = 0;
    e->flags |= JT_EXEC_ARGS_UNREADABLE;
  }
  e->args_len = sz;
  __u64 total = off + sz;
  asm volatile("%0 &= 0x1ffff" : "+r"(total));
  if (total > JT_DATA_SIZE)
    total = JT_DATA_SIZE;
  e->hdr.size = sizeof(*e) + total;
  if (e->flags & (JT_EXEC_ARGS_TRUNCATED | JT_EXEC_CWD_TRUNCATED | JT_EXEC_BINARY_TRUNCATED | JT_EXEC_ENV_TRUNCATED))
    e->hdr.flags |= JT_HDR_TRUNCATED;
  if (bpf_ringbuf_output(&rb, e, sizeof(*e) + total, jt_wakeup_flags(&rb)))
    count_loss(JT_EV_PROCESS_EXEC);
  return 0;
}

SEC("raw_tp/sched_process_exec")
int raw_tracepoint__sched__sched_process_exec(struct bpf_raw_tracepoint_args *ctx) { return on_exec(ctx, false); }

SEC("raw_tp/sched_process_exec")
int raw_tracepoint__sched__sched_process_exec_bounded(struct bpf_raw_tracepoint_args *ctx)
{
  return on_exec(ctx, true);
}

SEC("raw_tp/sched_process_fork")
int raw_tracepoint__sched__sched_process_fork(struct bpf_raw_tracepoint_args *ctx)
{
  if (!in_scope())
    return 0;
  struct task_struct *parent = (struct task_struct *)ctx->args[0];
  struct task_struct *child = (struct task_struct *)ctx->args[1];
  __u32 ptgid = BPF_CORE_READ(parent, tgid);
  __u32 ctgid = BPF_CORE_READ(child, tgid);
  if (ptgid == ctgid) /* a new thread, not a new process */
    return 0;
  struct jt_exec_ref ref = {};
  struct jt_exec_ref *p = bpf_map_lookup_elem(&jt_exec_ref, &ptgid);
  if (p) { /* a fork without exec keeps its parent's exec ref */
    ref.exec_id = p->exec_id;
    ref.parent_exec_id = p->parent_exec_id;
  }
  ref.start_ns = bpf_ktime_get_ns();
  bpf_map_update_elem(&jt_exec_ref, &ctgid, &ref, BPF_ANY);
  return 0;
}

SEC("raw_tp/sched_process_exit")
int raw_tracepoint__sched__sched_process_exit(struct bpf_raw_tracepoint_args *ctx)
{
  if (!in_scope())
    return 0;
  struct task_struct *task = (struct task_struct *)bpf_get_current_task();
  /* one exit per process: only the last thread (signal->live reached 0) reports it */
  if (BPF_CORE_READ(task, signal, live.counter) != 0)
    return 0;
  __u32 tgid = bpf_get_current_pid_tgid() >> 32;
  struct jt_exec_ref *ref = bpf_map_lookup_elem(&jt_exec_ref, &tgid);
  __u64 now = bpf_ktime_get_ns();
  struct process_exit_event *e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
  if (!e) {
    count_loss(JT_EV_PROCESS_EXIT);
    if (ref)
      bpf_map_delete_elem(&jt_exec_ref, &tgid);
    return 0;
  }
  fill_header(&e->hdr, JT_EV_PROCESS_EXIT, ref ? ref->exec_id : 0);
  e->hdr.size = sizeof(*e);
  e->duration_ns = ref ? now - ref->start_ns : now - BPF_CORE_READ(task, group_leader, start_time);
  e->exit_code = BPF_CORE_READ(task, exit_code);
  e->ppid = BPF_CORE_READ(task, real_parent, tgid);
  bpf_ringbuf_submit(e, jt_wakeup_flags(&rb));
  if (ref)
    bpf_map_delete_elem(&jt_exec_ref, &tgid);
  return 0;
}
