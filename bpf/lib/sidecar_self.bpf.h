/* Who the sidecar is, as the kernel knows it: so that a job signalling, ptracing or reading the
 * memory of the sidecar's own process is recorded (a pod with shareProcessNamespace: true shows
 * the sidecar to the job).
 *
 * The job names its target by a number of ITS pid namespace, and a thread id is as good as the
 * tgid for ptrace and process_vm_readv. So the sidecar's identity is kept as the set of
 * (pid namespace inode, number) pairs of every thread of the sidecar in every pid namespace it
 * is visible in, filled by jt_sidecar_whoami: a program user space runs in the sidecar's own
 * context (BPF_PROG_TEST_RUN of a raw tracepoint program runs on the calling thread), which
 * walks the thread group. Each run stamps its entries with a generation number, so user space
 * can drop the threads that have gone (their numbers may be reused by the job) without a moment
 * in which the live ones are missing. Signals are matched on the target task itself (its host
 * tgid).
 *
 * Not self-contained on purpose: expects vmlinux.h, the CO-RE helpers and events/priv.h. */
#ifndef JOBTRAIL_SIDECAR_SELF_BPF_H
#define JOBTRAIL_SIDECAR_SELF_BPF_H

#define JT_SELF_LEVELS 8   /* pid namespace nesting levels recorded (the pod's is usually 1) */
#define JT_SELF_THREADS 64 /* sidecar threads recorded; the sidecar runs about ten */

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, JT_SELF_LEVELS * JT_SELF_THREADS);
  __type(key, struct priv_self_key);
  __type(value, __u32); /* generation of the whoami run that saw it */
} jt_sidecar_ids SEC(".maps");

/* [0]: the sidecar's host tgid (0 until whoami ran: nothing matches); [1]: the generation of the
 * latest whoami run, stamped on threads the sidecar starts between two runs */
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 2);
  __type(key, __u32);
  __type(value, __u32);
} jt_sidecar_tgid SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 65); /* signal numbers 0..64 */
  __type(key, __u32);
  __type(value, struct priv_sidecar_signal_count);
} jt_sidecar_signals SEC(".maps");

static __always_inline __u32 jt_sidecar_host_tgid(void)
{
  __u32 zero = 0;
  __u32 *tgid = bpf_map_lookup_elem(&jt_sidecar_tgid, &zero);
  return tgid ? *tgid : 0;
}

/* The pid namespace inode at `level` of a struct pid (0 when beyond its depth). */
static __always_inline __u32 jt_pid_ns_inum_at(struct pid *pid, __u32 level)
{
  struct pid_namespace *ns = 0;
  bpf_core_read(&ns, sizeof(ns), &pid->numbers[level & (JT_SELF_LEVELS - 1)].ns);
  return ns ? BPF_CORE_READ(ns, ns.inum) : 0;
}

static __always_inline void jt_self_add_thread(struct task_struct *t, __u32 gen)
{
  struct pid *pid = BPF_CORE_READ(t, thread_pid);
  if (!pid)
    return;
  __u32 depth = BPF_CORE_READ(pid, level);
  for (__u32 level = 0; level < JT_SELF_LEVELS; level++) {
    if (level > depth)
      break;
    struct priv_self_key k = {.ns_inum = jt_pid_ns_inum_at(pid, level)};
    bpf_core_read(&k.nr, sizeof(k.nr), &pid->numbers[level & (JT_SELF_LEVELS - 1)].nr);
    if (k.ns_inum && k.nr > 0)
      bpf_map_update_elem(&jt_sidecar_ids, &k, &gen, BPF_ANY);
  }
}

/* Run in the sidecar's context: its host tgid and every thread's numbers. Returns the threads
 * recorded (user space logs it). */
static __always_inline int jt_sidecar_whoami(__u32 gen)
{
  struct task_struct *me = (struct task_struct *)bpf_get_current_task();
  struct task_struct *leader = BPF_CORE_READ(me, group_leader);
  __u32 zero = 0, one = 1, tgid = bpf_get_current_pid_tgid() >> 32;
  bpf_map_update_elem(&jt_sidecar_tgid, &zero, &tgid, BPF_ANY);
  bpf_map_update_elem(&jt_sidecar_tgid, &one, &gen, BPF_ANY);
  struct signal_struct *sig = BPF_CORE_READ(leader, signal);
  struct list_head *head = &sig->thread_head;
  struct list_head *pos = BPF_CORE_READ(sig, thread_head.next);
  const long node_off = bpf_core_field_offset(struct task_struct, thread_node);
  int n = 0;
  for (int i = 0; i < JT_SELF_THREADS; i++) {
    if (!pos || pos == head)
      break;
    struct task_struct *t = (struct task_struct *)((char *)pos - node_off);
    jt_self_add_thread(t, gen);
    n++;
    pos = BPF_CORE_READ(t, thread_node.next);
  }
  return n;
}

/* A thread the sidecar just started (sched_process_fork, child side known): recorded at once, so
 * that no thread of the sidecar is anonymous until the next whoami run. Its entry carries the
 * latest run's generation, so the next run keeps it while it lives and drops it after. */
static __always_inline void jt_sidecar_thread_started(struct task_struct *child)
{
  __u32 self = jt_sidecar_host_tgid();
  if (!self || BPF_CORE_READ(child, tgid) != self)
    return;
  __u32 one = 1;
  __u32 *gen = bpf_map_lookup_elem(&jt_sidecar_tgid, &one);
  if (gen)
    jt_self_add_thread(child, *gen);
}

/* Does the current task name one of the sidecar's threads with `nr` (a pid argument)? The
 * number is looked up in the caller's own pid namespace, the one the kernel reads it in. */
static __always_inline int jt_names_sidecar(__s32 nr)
{
  if (nr <= 0)
    return 0;
  struct task_struct *me = (struct task_struct *)bpf_get_current_task();
  struct pid *pid = BPF_CORE_READ(me, thread_pid);
  if (!pid)
    return 0;
  __u32 level = BPF_CORE_READ(pid, level);
  if (level >= JT_SELF_LEVELS) /* deeper than the sidecar: it cannot see it */
    return 0;
  struct priv_self_key k = {.ns_inum = jt_pid_ns_inum_at(pid, level), .nr = nr};
  return bpf_map_lookup_elem(&jt_sidecar_ids, &k) != 0;
}

#define JT_PROC_PATH_MAX 64 /* "/proc/4194304/task/4194304/environ" and its NUL fit */
#define JT_PROC_MASK (JT_PROC_PATH_MAX - 1)

/* Does p (NUL-terminated, JT_PROC_PATH_MAX bytes) hold `lit` (len bytes, NUL included) at i? */
static __always_inline int jt_text_at(const char *p, int i, const char *lit, int len)
{
  for (int k = 0; k < 16; k++) {
    if (k >= len)
      return 1;
    if (p[(i + k) & JT_PROC_MASK] != lit[k])
      return 0;
  }
  return 1;
}

/* Decimal digits at p[*i]: their value, *i moved past them; -1 when none or too many. */
static __always_inline __s32 jt_digits_at(const char *p, int *i)
{
  __s32 v = 0;
  int k = 0;
  for (; k < 10; k++) {
    char c = p[(*i + k) & JT_PROC_MASK];
    if (c < '0' || c > '9')
      break;
    v = v * 10 + (c - '0');
  }
  if (k == 0 || k == 10)
    return -1;
  *i += k;
  return v;
}

/* "/proc/N/mem", "/proc/N/environ", or the same under "/proc/N/task/T/": 1 mem, 2 environ, 0 other;
 * *nr = N. Written by the job: read only within the buffer, never trusted beyond the number. */
static __always_inline int jt_proc_file_of(const char *p, __s32 *nr)
{
  if (!jt_text_at(p, 0, "/proc/", 6))
    return 0;
  int i = 6;
  *nr = jt_digits_at(p, &i);
  if (*nr <= 0)
    return 0;
  if (jt_text_at(p, i, "/task/", 6)) {
    i += 6;
    if (jt_digits_at(p, &i) <= 0)
      return 0;
  }
  if (jt_text_at(p, i, "/mem", 5))
    return 1;
  if (jt_text_at(p, i, "/environ", 9))
    return 2;
  return 0;
}

#define JT_PROC_SUPER_MAGIC 0x9fa0

/* Is `f` a /proc mem or environ file of one of the sidecar's threads, however it was named
 * (a path with "//" or "/./", a dirfd of /proc/N, a symlink)? Decided from the opened file: on
 * procfs, by name, and by the struct pid of its proc inode. 1 mem, 2 environ, 0 other; *host_nr
 * is the thread's host number. */
static __always_inline int jt_sidecar_proc_file(struct file *f, __s32 *host_nr)
{
  if (!f)
    return 0;
  struct inode *ino = BPF_CORE_READ(f, f_inode);
  if (!ino || BPF_CORE_READ(ino, i_sb, s_magic) != JT_PROC_SUPER_MAGIC)
    return 0;
  char name[8] = {};
  bpf_probe_read_kernel_str(name, sizeof(name), BPF_CORE_READ(f, f_path.dentry, d_name.name));
  int kind = 0;
  if (name[0] == 'm' && name[1] == 'e' && name[2] == 'm' && name[3] == 0)
    kind = 1;
  else if (name[0] == 'e' && name[1] == 'n' && name[2] == 'v' && name[3] == 'i' && name[4] == 'r' && name[5] == 'o' &&
           name[6] == 'n' && name[7] == 0)
    kind = 2;
  if (!kind)
    return 0;
  struct proc_inode *pi = (struct proc_inode *)((char *)ino - bpf_core_field_offset(struct proc_inode, vfs_inode));
  struct pid *pid = BPF_CORE_READ(pi, pid);
  if (!pid)
    return 0;
  struct priv_self_key k = {.ns_inum = jt_pid_ns_inum_at(pid, 0)};
  bpf_core_read(&k.nr, sizeof(k.nr), &pid->numbers[0].nr);
  if (!bpf_map_lookup_elem(&jt_sidecar_ids, &k))
    return 0;
  *host_nr = k.nr;
  return kind;
}

/* Counts a signal generated for the sidecar by origin (the user-space view of a SIGTERM). */
static __always_inline void jt_count_sidecar_signal(int signo, int from_job)
{
  __u32 k = (__u32)signo;
  struct priv_sidecar_signal_count *c = bpf_map_lookup_elem(&jt_sidecar_signals, &k);
  if (!c)
    return;
  if (from_job)
    __sync_fetch_and_add(&c->from_job, 1);
  else
    __sync_fetch_and_add(&c->from_outside, 1);
}

#endif
