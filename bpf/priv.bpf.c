// SPDX-License-Identifier: GPL-2.0
/* Privilege family: setuid/setgid family, capset, setns/unshare, mount/umount2/pivot_root/
 * chroot, ptrace, module loading, bpf, kexec, perf_event_open, process_vm_readv/writev with
 * their arguments and result (sys_enter stashes, sys_exit emits), and capability checks
 * outside the default container set (capability:cap_capable), first use per exec.
 * setns also says whether the namespace joined is the host's (lib/host_ns.bpf.h).
 * ptrace and process_vm_* say whether their target is the sidecar; every signal the job
 * generates for the sidecar, and every open of the sidecar's /proc/<pid>/mem or environ, is a
 * record of its own (lib/sidecar_self.bpf.h).
 * Every program checks in_scope() first (signal_generate: once its target is the sidecar). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "events/priv.h"
#include "lib/scope.bpf.h"
#include "lib/exec_ref.bpf.h"
#include "lib/loss.bpf.h"
#include "lib/ring.bpf.h"
#include "lib/wakeup.bpf.h"
#include "lib/host_ns.bpf.h"
#include "lib/sidecar_self.bpf.h"

char LICENSE[] SEC("license") = "GPL";

struct priv_args {
  __u64 args[6];
  __u32 syscall;
  __u32 pad;
};

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 8192);
  __type(key, __u32); /* tid */
  __type(value, struct priv_args);
} priv_args SEC(".maps");

/* (exec_id, cap, denied) already reported */
struct cap_key {
  __u64 exec_id;
  __s32 cap;
  __s32 ret;
};
struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, 65536);
  __type(key, struct cap_key);
  __type(value, __u8);
} caps_seen SEC(".maps");

/* Docker/containerd default capability set: CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID
 * SETPCAP NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP: not reported. */
#define JT_DEFAULT_CAPS ((1ULL << 0) | (1ULL << 1) | (1ULL << 3) | (1ULL << 4) | (1ULL << 5) | (1ULL << 6) | \
                         (1ULL << 7) | (1ULL << 8) | (1ULL << 10) | (1ULL << 13) | (1ULL << 18) |            \
                         (1ULL << 27) | (1ULL << 29) | (1ULL << 31))

/* Reads only the syscall's own arguments: attaching fails (EACCES) when a program reads past
 * the tracepoint's record, e.g. args[5] of setuid(uid). */
static __always_inline int stash(struct trace_event_raw_sys_enter *ctx, __u32 sys, int nargs)
{
  if (!in_scope())
    return 0;
  struct priv_args a = {.syscall = sys};
  /* ctx fields one by one: the verifier rejects a ctx pointer advanced in a loop */
  if (nargs > 0)
    a.args[0] = ctx->args[0];
  if (nargs > 1)
    a.args[1] = ctx->args[1];
  if (nargs > 2)
    a.args[2] = ctx->args[2];
  if (nargs > 3)
    a.args[3] = ctx->args[3];
  if (nargs > 4)
    a.args[4] = ctx->args[4];
  if (nargs > 5)
    a.args[5] = ctx->args[5];
  __u32 tid = (__u32)bpf_get_current_pid_tgid();
  if (bpf_map_update_elem(&priv_args, &tid, &a, BPF_ANY)) /* its priv_syscall cannot be built at exit */
    count_loss_cause(JT_LOSS_MAP_FULL, JT_EV_PRIV_SYSCALL);
  return 0;
}

static __always_inline void put_str(struct priv_event *e, int slot, __u64 uptr)
{
  if (slot < 0 || slot > 2)
    return;
  e->str_len[slot] = 0;
  if (!uptr)
    return;
  long n = bpf_probe_read_user_str(e->str[slot], JT_PRIV_STR_MAX, (const void *)uptr);
  if (n > 0)
    e->str_len[slot] = n;
}

static __always_inline int emit(long ret)
{
  if (!in_scope())
    return 0;
  __u32 tid = (__u32)bpf_get_current_pid_tgid();
  struct priv_args *a = bpf_map_lookup_elem(&priv_args, &tid);
  if (!a)
    return 0;
  struct priv_event *e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
  if (!e) {
    count_loss(JT_EV_PRIV_SYSCALL);
    bpf_map_delete_elem(&priv_args, &tid);
    return 0;
  }
  jt_header_current(&e->hdr, JT_EV_PRIV_SYSCALL, sizeof(*e));
  e->ret = ret;
  for (int i = 0; i < 6; i++)
    e->args[i] = a->args[i];
  e->syscall = a->syscall;
  e->extra = 0;
  e->host_ns = 0;
  e->str_len[0] = e->str_len[1] = e->str_len[2] = 0;
  switch (a->syscall) {
  case JT_PRIV_MOUNT:
    put_str(e, 0, a->args[0]);
    put_str(e, 1, a->args[1]);
    put_str(e, 2, a->args[2]);
    break;
  case JT_PRIV_UMOUNT2:
  case JT_PRIV_CHROOT:
  case JT_PRIV_DELETE_MODULE:
    put_str(e, 0, a->args[0]);
    break;
  case JT_PRIV_PIVOT_ROOT:
    put_str(e, 0, a->args[0]);
    put_str(e, 1, a->args[1]);
    break;
  case JT_PRIV_INIT_MODULE:
    put_str(e, 0, a->args[2]);
    break;
  case JT_PRIV_FINIT_MODULE:
    put_str(e, 0, a->args[1]);
    break;
  case JT_PRIV_PERF_EVENT_OPEN: {
    __u32 type = 0;
    bpf_probe_read_user(&type, sizeof(type), (const void *)a->args[0]);
    e->extra = type;
    break;
  }
  case JT_PRIV_SETNS:
    e->host_ns = jt_setns_host_ns((int)a->args[0], a->args[1], ret, &e->extra);
    break;
  case JT_PRIV_CAPSET: {
    __u32 hdr[2] = {};
    bpf_probe_read_user(hdr, sizeof(hdr), (const void *)a->args[0]);
    e->extra = hdr[1]; /* target pid (0 = self) */
    break;
  }
  case JT_PRIV_PTRACE:
    e->extra = jt_names_sidecar((__s32)a->args[1]) ? JT_PRIV_TARGET_SIDECAR : 0;
    break;
  case JT_PRIV_OPEN_PROC_MEM:
  case JT_PRIV_OPEN_PROC_ENVIRON: /* stashed only when the path names the sidecar */
    put_str(e, 0, a->args[0]);
    e->extra = JT_PRIV_TARGET_SIDECAR;
    break;
  case JT_PRIV_PROCESS_VM_READV:
  case JT_PRIV_PROCESS_VM_WRITEV:
    e->extra = jt_names_sidecar((__s32)a->args[0]) ? JT_PRIV_TARGET_SIDECAR : 0;
    break;
  }
  bpf_map_delete_elem(&priv_args, &tid);
  bpf_ringbuf_submit(e, jt_wakeup_flags(&rb));
  return 0;
}

#define PRIV(name, id, n)                                                              \
  SEC("tp/syscalls/sys_enter_" #name)                                                 \
  int tracepoint__syscalls__sys_enter_##name(struct trace_event_raw_sys_enter *ctx)   \
  { return stash(ctx, id, n); }                                                        \
  SEC("tp/syscalls/sys_exit_" #name)                                                  \
  int tracepoint__syscalls__sys_exit_##name(struct trace_event_raw_sys_exit *ctx)     \
  { return emit(ctx->ret); }

PRIV(setuid, JT_PRIV_SETUID, 1) PRIV(setgid, JT_PRIV_SETGID, 1) PRIV(setreuid, JT_PRIV_SETREUID, 2)
PRIV(setregid, JT_PRIV_SETREGID, 2) PRIV(setresuid, JT_PRIV_SETRESUID, 3) PRIV(setresgid, JT_PRIV_SETRESGID, 3)
PRIV(setfsuid, JT_PRIV_SETFSUID, 1) PRIV(setfsgid, JT_PRIV_SETFSGID, 1) PRIV(setgroups, JT_PRIV_SETGROUPS, 2)
PRIV(capset, JT_PRIV_CAPSET, 2) PRIV(setns, JT_PRIV_SETNS, 2) PRIV(unshare, JT_PRIV_UNSHARE, 1)
PRIV(mount, JT_PRIV_MOUNT, 5) PRIV(umount, JT_PRIV_UMOUNT2, 2) PRIV(pivot_root, JT_PRIV_PIVOT_ROOT, 2)
PRIV(chroot, JT_PRIV_CHROOT, 1) PRIV(ptrace, JT_PRIV_PTRACE, 4) PRIV(init_module, JT_PRIV_INIT_MODULE, 3)
PRIV(finit_module, JT_PRIV_FINIT_MODULE, 3) PRIV(delete_module, JT_PRIV_DELETE_MODULE, 2) PRIV(bpf, JT_PRIV_BPF, 3)
PRIV(kexec_load, JT_PRIV_KEXEC_LOAD, 4) PRIV(kexec_file_load, JT_PRIV_KEXEC_FILE_LOAD, 5)
PRIV(perf_event_open, JT_PRIV_PERF_EVENT_OPEN, 5) PRIV(process_vm_readv, JT_PRIV_PROCESS_VM_READV, 6)
PRIV(process_vm_writev, JT_PRIV_PROCESS_VM_WRITEV, 6)

/* Opens of the sidecar's /proc/<pid>/mem or environ (the file family records every open; this
 * says that the number is one of the sidecar's threads, in the caller's pid namespace). Only
 * such opens are stashed: the others cost an in-scope check and a read of 64 path bytes, and at
 * exit a look at the file opened (emit_proc_open). */
static __always_inline int stash_proc_open(__u64 upath, __u64 flags)
{
  if (!in_scope() || !jt_sidecar_host_tgid())
    return 0;
  char p[JT_PROC_PATH_MAX];
  if (bpf_probe_read_user_str(p, sizeof(p), (const void *)upath) < 10)
    return 0;
  __s32 nr = 0;
  const int kind = jt_proc_file_of(p, &nr);
  if (!kind || !jt_names_sidecar(nr))
    return 0;
  struct priv_args a = {.syscall = kind == 1 ? JT_PRIV_OPEN_PROC_MEM : JT_PRIV_OPEN_PROC_ENVIRON};
  a.args[0] = upath;
  a.args[1] = flags;
  a.args[2] = (__u64)nr;
  __u32 tid = (__u32)bpf_get_current_pid_tgid();
  if (bpf_map_update_elem(&priv_args, &tid, &a, BPF_ANY))
    count_loss_cause(JT_LOSS_MAP_FULL, JT_EV_PRIV_SYSCALL);
  return 0;
}

/* At exit: an open whose path matched is emitted as stashed (failed ones included); any other
 * successful open is looked at through the file it opened, so that no spelling of the path
 * ("/proc//N/mem", a dirfd of /proc/N, a symlink) hides the sidecar. */
static __always_inline int emit_proc_open(long ret)
{
  if (!in_scope())
    return 0;
  __u32 tid = (__u32)bpf_get_current_pid_tgid();
  if (bpf_map_lookup_elem(&priv_args, &tid))
    return emit(ret);
  if (ret < 0 || !jt_sidecar_host_tgid())
    return 0;
  __s32 nr = 0;
  const int kind = jt_sidecar_proc_file(jt_fd_file((__u32)ret), &nr);
  if (!kind)
    return 0;
  struct priv_event *e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
  if (!e) {
    count_loss(JT_EV_PRIV_SYSCALL);
    return 0;
  }
  jt_header_current(&e->hdr, JT_EV_PRIV_SYSCALL, sizeof(*e));
  e->ret = ret;
  for (int i = 0; i < 6; i++)
    e->args[i] = 0;
  e->args[2] = (__u64)nr;
  e->args[3] = 1; /* found from the opened file */
  e->syscall = kind == 1 ? JT_PRIV_OPEN_PROC_MEM : JT_PRIV_OPEN_PROC_ENVIRON;
  e->extra = JT_PRIV_TARGET_SIDECAR;
  e->host_ns = 0;
  e->str_len[0] = e->str_len[1] = e->str_len[2] = 0;
  bpf_ringbuf_submit(e, jt_wakeup_flags(&rb));
  return 0;
}

SEC("tp/syscalls/sys_enter_openat")
int priv__sys_enter_openat(struct trace_event_raw_sys_enter *ctx) { return stash_proc_open(ctx->args[1], ctx->args[2]); }
SEC("tp/syscalls/sys_exit_openat")
int priv__sys_exit_openat(struct trace_event_raw_sys_exit *ctx) { return emit_proc_open(ctx->ret); }
SEC("tp/syscalls/sys_enter_open")
int priv__sys_enter_open(struct trace_event_raw_sys_enter *ctx) { return stash_proc_open(ctx->args[0], ctx->args[1]); }
SEC("tp/syscalls/sys_exit_open")
int priv__sys_exit_open(struct trace_event_raw_sys_exit *ctx) { return emit_proc_open(ctx->ret); }
/* openat2(dfd, path, how, size): the flags are in *how; the path is what matters here */
SEC("tp/syscalls/sys_enter_openat2")
int priv__sys_enter_openat2(struct trace_event_raw_sys_enter *ctx) { return stash_proc_open(ctx->args[1], 0); }
SEC("tp/syscalls/sys_exit_openat2")
int priv__sys_exit_openat2(struct trace_event_raw_sys_exit *ctx) { return emit_proc_open(ctx->ret); }

#define JT_CAP_SYS_ADMIN 21
/* clone(2) flags that create namespaces (CLONE_NEWTIME only in clone3: in clone it is CSIGNAL) */
#define JT_CLONE_NEW_NS_FLAGS 0x7e020000ULL
#define JT_CLONE3_NEW_NS_FLAGS (JT_CLONE_NEW_NS_FLAGS | 0x80ULL)

/* The kernel's memory accounting asks for CAP_SYS_ADMIN (cap_vm_enough_memory: root may dip
 * into the reserve) on every writable private mapping: at each exec, mmap, brk, mprotect,
 * mremap and fork. That check is noaudit, but the tracepoint carries no flag to tell, so
 * without this every exec of every process would report CAP_SYS_ADMIN (granted for root,
 * denied otherwise) and hide a real use of the same exec behind the first-use dedup.
 * Those syscalls never need CAP_SYS_ADMIN for anything else, except clones that create
 * namespaces: these stay reported. Decided from the syscall number in the task's registers
 * (x86-64; elsewhere, or before bpf_task_pt_regs (5.15), every check is reported). */
static __always_inline int memory_accounting_check(int cap)
{
  if (cap != JT_CAP_SYS_ADMIN)
    return 0;
#if defined(__TARGET_ARCH_x86)
  if (!bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_task_pt_regs))
    return 0;
  struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
  long nr = BPF_CORE_READ(regs, orig_ax);
  switch (nr) {
  case 9:   /* mmap */
  case 10:  /* mprotect */
  case 12:  /* brk */
  case 25:  /* mremap */
  case 57:  /* fork */
  case 58:  /* vfork */
  case 59:  /* execve */
  case 322: /* execveat */
    return 1;
  case 56: /* clone(flags, ...) */
    return (BPF_CORE_READ(regs, di) & JT_CLONE_NEW_NS_FLAGS) == 0;
  case 435: { /* clone3(struct clone_args *uargs, size): flags is its first field */
    __u64 flags = 0;
    if (bpf_probe_read_user(&flags, sizeof(flags), (void *)BPF_CORE_READ(regs, di)))
      return 0;
    return (flags & JT_CLONE3_NEW_NS_FLAGS) == 0;
  }
  }
#endif
  return 0;
}

SEC("tp/capability/cap_capable")
int tracepoint__capability__cap_capable(struct trace_event_raw_cap_capable *ctx)
{
  if (!in_scope())
    return 0;
  int cap = ctx->cap;
  if (cap < 0 || cap > 63 || (JT_DEFAULT_CAPS & (1ULL << cap)))
    return 0;
  if (memory_accounting_check(cap))
    return 0;
  struct cap_key k = {.exec_id = current_exec_id(), .cap = cap, .ret = ctx->ret};
  __u8 one = 1;
  if (bpf_map_update_elem(&caps_seen, &k, &one, BPF_NOEXIST))
    return 0; /* already reported for this exec */
  struct priv_cap_event *e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
  if (!e) {
    count_loss(JT_EV_PRIV_CAPABILITY);
    bpf_map_delete_elem(&caps_seen, &k); /* report on a later use */
    return 0;
  }
  jt_header_current(&e->hdr, JT_EV_PRIV_CAPABILITY, sizeof(*e));
  e->cap = cap;
  e->ret = ctx->ret;
  bpf_ringbuf_submit(e, jt_wakeup_flags(&rb));
  return 0;
}

/* Runs only by BPF_PROG_TEST_RUN from the sidecar itself (no attach point), with the
 * generation as its one argument: see lib/sidecar_self.bpf.h. */
SEC("raw_tp")
int jt_sidecar_whoami_prog(struct bpf_raw_tracepoint_args *ctx)
{
  return jt_sidecar_whoami((__u32)ctx->args[0]);
}

/* sched_process_fork(parent, child) for every new task, threads included: the sidecar's own new
 * threads join its identity before they can be named by the job (ptrace, process_vm_readv). */
SEC("raw_tp/sched_process_fork")
int raw_tracepoint__sched_process_fork_sidecar(struct bpf_raw_tracepoint_args *ctx)
{
  jt_sidecar_thread_started((struct task_struct *)ctx->args[1]);
  return 0;
}

#define JT_SIGCHLD 17

/* signal_generate(sig, info, task, group, result) fires in the sender's context for kill, tkill,
 * tgkill, pidfd_send_signal and rt_sigqueueinfo alike, and for every thread a broadcast
 * (kill(-1, ...)) reaches: the target is the task itself, so no pid number needs resolving.
 * Signal 0 (an existence probe) generates nothing and is not seen. */
SEC("raw_tp/signal_generate")
int raw_tracepoint__signal_generate(struct bpf_raw_tracepoint_args *ctx)
{
  struct task_struct *task = (struct task_struct *)ctx->args[2];
  __u32 self = jt_sidecar_host_tgid();
  if (!self || BPF_CORE_READ(task, tgid) != self)
    return 0;
  int sig = (int)ctx->args[0];
  /* SEND_SIG_NOINFO (0) and SEND_SIG_PRIV (1) are not pointers, as in the tracepoint's own TP_STORE_SIGINFO */
  __u64 info = ctx->args[1];
  int code = 0x80; /* SI_KERNEL */
  if (info == 0)
    code = 0; /* SI_USER */
  else if (info != 1)
    code = BPF_CORE_READ((struct kernel_siginfo *)info, si_code);
  const int from_job = in_scope();
  /* the exit of a child the sidecar started (record mode runs its command in the pod's cgroup) */
  if (sig == JT_SIGCHLD && code > 0)
    return 0;
  jt_count_sidecar_signal(sig, from_job);
  if (!from_job)
    return 0;
  struct priv_event *e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
  if (!e) {
    count_loss(JT_EV_PRIV_SYSCALL);
    return 0;
  }
  jt_header_current(&e->hdr, JT_EV_PRIV_SYSCALL, sizeof(*e));
  e->ret = 0;
  e->args[JT_SIG_ARG_SIGNO] = sig;
  e->args[JT_SIG_ARG_TARGET_TGID] = self;
  e->args[JT_SIG_ARG_TARGET_TID] = BPF_CORE_READ(task, pid);
  e->args[JT_SIG_ARG_GROUP] = ctx->args[3] ? 1 : 0;
  e->args[JT_SIG_ARG_CODE] = (__u64)(__s64)code;
  e->args[JT_SIG_ARG_RESULT] = ctx->args[4];
  e->syscall = JT_PRIV_SIGNAL;
  e->extra = JT_PRIV_TARGET_SIDECAR;
  e->host_ns = 0;
  e->str_len[0] = e->str_len[1] = e->str_len[2] = 0;
  bpf_ringbuf_submit(e, jt_wakeup_flags(&rb));
  return 0;
}
