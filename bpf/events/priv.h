/* Privilege family records (priv.bpf.c -> sidecar/priv_tracer.cpp). */
#ifndef JOBTRAIL_EVENTS_PRIV_H
#define JOBTRAIL_EVENTS_PRIV_H

#include "common.h"

#define JT_PRIV_STR_MAX 512

enum jt_priv_event_type {
  JT_EV_PRIV_SYSCALL = 400,
  JT_EV_PRIV_CAPABILITY = 401, /* first use per (exec, capability, result) */
};

enum jt_priv_syscall {
  JT_PRIV_SETUID = 1, JT_PRIV_SETGID, JT_PRIV_SETREUID, JT_PRIV_SETREGID, JT_PRIV_SETRESUID, JT_PRIV_SETRESGID,
  JT_PRIV_SETFSUID, JT_PRIV_SETFSGID, JT_PRIV_SETGROUPS, JT_PRIV_CAPSET,
  JT_PRIV_SETNS, JT_PRIV_UNSHARE, JT_PRIV_MOUNT, JT_PRIV_UMOUNT2, JT_PRIV_PIVOT_ROOT, JT_PRIV_CHROOT,
  JT_PRIV_PTRACE, JT_PRIV_INIT_MODULE, JT_PRIV_FINIT_MODULE, JT_PRIV_DELETE_MODULE, JT_PRIV_BPF,
  JT_PRIV_KEXEC_LOAD, JT_PRIV_KEXEC_FILE_LOAD, JT_PRIV_PERF_EVENT_OPEN, JT_PRIV_PROCESS_VM_READV,
  JT_PRIV_PROCESS_VM_WRITEV, JT_PRIV_CLONE3_NS,
  JT_PRIV_SIGNAL, /* a signal generated for the sidecar's own process (lib/sidecar_self.bpf.h), not a syscall */
  JT_PRIV_OPEN_PROC_MEM,     /* open/openat/openat2 of /proc/<sidecar>/mem (only the sidecar's);
                                args[2]: the number in the path, or with args[3] = 1 the thread's host
                                number, found from the opened file (a path that did not match) */
  JT_PRIV_OPEN_PROC_ENVIRON, /* ... of /proc/<sidecar>/environ: the sidecar's storage credentials */
  JT_PRIV_SYSCALL_MAX,
};

/* priv_event.extra of ptrace, process_vm_readv/writev, JT_PRIV_SIGNAL and JT_PRIV_OPEN_PROC_*: the target is the
 * sidecar's own process (one of its threads, in whatever pid namespace the caller names it). */
#define JT_PRIV_TARGET_SIDECAR 1u

/* JT_PRIV_SIGNAL arguments (priv_event.args[i]). */
enum jt_priv_signal_arg {
  JT_SIG_ARG_SIGNO = 0,
  JT_SIG_ARG_TARGET_TGID = 1, /* host pid of the sidecar */
  JT_SIG_ARG_TARGET_TID = 2,  /* host tid of the thread the signal was generated for */
  JT_SIG_ARG_GROUP = 3,       /* 1: sent to the whole thread group (kill), 0: to one thread (tgkill) */
  JT_SIG_ARG_CODE = 4,        /* si_code: SI_USER 0, SI_TKILL -6, SI_QUEUE -1, kernel > 0 */
  JT_SIG_ARG_RESULT = 5,      /* the tracepoint's result: 0 delivered, 1 ignored, 2 already pending, 3/4 lost info */
};

/* jt_sidecar_signals[signo]: signals generated for the sidecar so far, by origin. User space
 * reads it when a catchable signal arrives, to tell the job's SIGTERM from the kubelet's. */
/* jt_sidecar_ids key: one thread of the sidecar as numbered in one pid namespace; the value is
 * the generation (__u32) of the run that saw it. */
struct priv_self_key {
  __u32 ns_inum; /* pid namespace inode */
  __s32 nr;      /* tid as numbered in that namespace */
};

struct priv_sidecar_signal_count {
  __u64 from_job;     /* sender in the pod's cgroup (in scope) */
  __u64 from_outside; /* any other sender: the kubelet/runtime, the sidecar itself, the kernel */
};

/* priv_event.host_ns of setns: the host's namespaces (init_task's) the call joined or tried to
 * join, one bit per kind, and whether the kernel could decide (lib/host_ns.bpf.h). */
enum jt_priv_host_ns {
  JT_HOST_NS_MNT = 1 << 0, JT_HOST_NS_PID = 1 << 1, JT_HOST_NS_NET = 1 << 2, JT_HOST_NS_UTS = 1 << 3,
  JT_HOST_NS_IPC = 1 << 4, JT_HOST_NS_USER = 1 << 5, JT_HOST_NS_CGROUP = 1 << 6, JT_HOST_NS_TIME = 1 << 7,
  JT_HOST_NS_DECIDED = 1 << 15, /* unset: not known (failed pidfd setns, tree deeper than the walk) */
};

/* JT_EV_PRIV_SYSCALL: raw arguments plus up to 3 user strings (meaning per syscall, see
 * sidecar/priv decoder): mount source/target/fstype, umount2/chroot target, pivot_root
 * new_root/put_old, delete_module name, init/finit_module params. */
struct priv_event {
  struct event_header hdr;
  __s64 ret;
  __u64 args[6];
  __u32 syscall; /* enum jt_priv_syscall */
  __u32 extra;   /* perf_event_open: attr.type; capset: header.pid; setns: target ns inode (nsfs fd);
                  ptrace, process_vm_*, signal: JT_PRIV_TARGET_SIDECAR or 0 */
  __u16 str_len[3];
  __u16 host_ns; /* setns: enum jt_priv_host_ns; 0 for other syscalls */
  char str[3][JT_PRIV_STR_MAX];
};

struct priv_cap_event {
  struct event_header hdr;
  __s32 cap;
  __s32 ret; /* 0: granted, -EPERM: denied */
};

#endif
