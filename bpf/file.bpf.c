// SPDX-License-Identifier: GPL-2.0
/* File family: opens (open/openat/openat2/creat), changes (unlink/rename/chmod/chown/
 * symlink/link), byte totals per opened fd (read/write family) reported at close or exit.
 * Arguments are stashed per thread at sys_enter and the record is built at sys_exit with the
 * result. Every program checks in_scope() first. Folding happens in user space.
 *
 * The programs that loop come in two variants, the loader autoloads one (sidecar/file_tracer.cpp):
 *   tracepoint__syscalls__sys_exit_* and ..._sched_process_exit_files: bpf_loop (5.17+) for the
 *     path walk of a relative path's directory, bpf_for_each_map_elem (5.13+) for the exit flush;
 *   the same names with _bounded: bounded loops of global-function steps (5.10+). The walk
 *     steps find their state in this CPU's path_scratch (a global function takes only scalars on
 *     5.10); the exit flush looks up the process's fd numbers 0..max_fd one by one instead of
 *     walking the whole map. Both record the same fields. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "events/process.h" /* JT_PATH_MAX for the path walk */
#include "events/file.h"
#include "lib/scope.bpf.h"
#include "lib/exec_ref.bpf.h"
#include "lib/loss.bpf.h"
#include "lib/wakeup.bpf.h"
#include "lib/path.bpf.h"
#include "lib/fd.bpf.h"
#include "lib/file_paths.bpf.h"

char LICENSE[] SEC("license") = "GPL";

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 16 << 20);
} rb SEC(".maps");

struct file_args {
  __u64 path1, path2; /* user pointers */
  __u64 open_flags;
  __s32 dfd1, dfd2;
  __u32 mode, uid, gid;
  __u16 syscall;
  __u16 pad;
};

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 16384);
  __type(key, __u32); /* tid */
  __type(value, struct file_args);
} file_args SEC(".maps");

struct file_scratch {
  struct file_event e;
  char data[5 * JT_FILE_PATH_MAX]; /* 4 slots used, 1 spare for the masked offsets */
};

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct file_scratch);
} file_scratch SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct jt_path_state);
} path_scratch SEC(".maps");

/* successfully opened fds and their byte totals */
struct fd_key {
  __u32 tgid;
  __s32 fd;
};
struct fd_io {
  __u64 bytes_read, bytes_written;
};
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 65536);
  __type(key, struct fd_key);
  __type(value, struct fd_io);
} open_fds SEC(".maps");

/* a read/write in flight on a tracked fd, per thread */
struct io_args {
  struct fd_key key;
  __u32 is_write;
};
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 16384);
  __type(key, __u32);
  __type(value, struct io_args);
} io_args SEC(".maps");

/* tgid -> processes that emitted file records: their exec_id (the process object drops its
 * exec ref at exit before we run, so it is kept here for the exit records) and how many of
 * their entries open_fds may still hold. Walking open_fds costs ~0.27 ms whatever it holds
 * (every bucket of 65536), so an exit walks it only when the count says there is something
 * to flush: most processes close what they open (the loader closes its libraries), and at an
 * exec-heavy 1,000 execs that walk was most of the family's cost. The count may be too high
 * (fds closed by exec's O_CLOEXEC or close_range leave entries, flushed at exit), never too
 * low: open_fds gets an entry only when it is counted here. */
struct file_proc {
  __u64 exec_id;
  __s64 open_fds;
  __s32 max_fd; /* the highest fd number given an open_fds entry: where the bounded exit flush stops */
  __u32 pad;
};
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 65536);
  __type(key, __u32);
  __type(value, struct file_proc);
} file_active SEC(".maps");

static __always_inline struct file_proc *mark_active(__u32 tgid, __u64 exec_id)
{
  struct file_proc *p = bpf_map_lookup_elem(&file_active, &tgid);
  if (!p) {
    struct file_proc fresh = {.exec_id = exec_id};
    bpf_map_update_elem(&file_active, &tgid, &fresh, BPF_NOEXIST); /* another thread may win */
    p = bpf_map_lookup_elem(&file_active, &tgid);
    if (!p)
      return 0;
  }
  p->exec_id = exec_id;
  return p;
}

static __always_inline int stash(__u16 sys, __s32 dfd1, const void *p1, __s32 dfd2, const void *p2, __u64 oflags,
                                 __u32 mode, __u32 uid, __u32 gid)
{
  if (!in_scope())
    return 0;
  struct file_args a = {.path1 = (__u64)p1, .path2 = (__u64)p2, .open_flags = oflags, .dfd1 = dfd1,
                        .dfd2 = dfd2, .mode = mode, .uid = uid, .gid = gid, .syscall = sys};
  __u32 tid = (__u32)bpf_get_current_pid_tgid();
  if (bpf_map_update_elem(&file_args, &tid, &a, BPF_ANY)) /* its event cannot be built at exit */
    count_loss_cause(JT_LOSS_MAP_FULL, sys <= JT_SYS_CREAT ? JT_EV_FILE_OPEN : JT_EV_FILE_CHANGE);
  return 0;
}

__noinline int jt_file_path_step_bounded(__u32 index)
{
  __u32 zero = 0;
  struct jt_path_state *st = bpf_map_lookup_elem(&path_scratch, &zero);
  if (!st)
    return 1;
  struct jt_path_ctx c = {.st = st};
  return jt_path_step(index, &c);
}

static __always_inline int emit(long ret, const bool bounded)
{
  if (!in_scope())
    return 0;
  __u64 id = bpf_get_current_pid_tgid();
  __u32 tid = (__u32)id, tgid = id >> 32, zero = 0;
  struct file_args *a = bpf_map_lookup_elem(&file_args, &tid);
  if (!a)
    return 0;
  struct file_scratch *s = bpf_map_lookup_elem(&file_scratch, &zero);
  struct jt_path_state *st = bpf_map_lookup_elem(&path_scratch, &zero);
  __u16 type = a->syscall <= JT_SYS_CREAT ? JT_EV_FILE_OPEN : JT_EV_FILE_CHANGE;
  if (!s || !st) {
    bpf_map_delete_elem(&file_args, &tid);
    count_loss_cause(JT_LOSS_SCRATCH, type);
    return 0;
  }
  struct file_event *e = &s->e;
  jt_header_current(&e->hdr, type, 0);
  e->ret = ret;
  e->open_flags = a->open_flags;
  e->mode = a->mode;
  e->uid = a->uid;
  e->gid = a->gid;
  e->syscall = a->syscall;
  e->flags = 0;
  e->pad = 0;
  __u32 off = 0;
  __u32 n = jt_put_user_path(s->data, off, (const char *)a->path1, &e->flags, JT_FILE_PATH1_TRUNCATED);
  e->path1_len = n;
  __u32 d = jt_put_base_dir(s->data, off, n, off + n, a->dfd1, st, &e->flags, JT_FILE_DIR1_TRUNCATED, bounded);
  e->dir1_len = d;
  off += n + d;
  n = jt_put_user_path(s->data, off, (const char *)a->path2, &e->flags, JT_FILE_PATH2_TRUNCATED);
  e->path2_len = n;
  /* symlink's first path is the link CONTENT, never resolved; its second is the new link */
  d = jt_put_base_dir(s->data, off, n, off + n, a->dfd2, st, &e->flags, JT_FILE_DIR2_TRUNCATED, bounded);
  e->dir2_len = d;
  off += n + d;
  bpf_map_delete_elem(&file_args, &tid);

  __u32 size = sizeof(*e) + off;
  if (size > sizeof(*s))
    size = sizeof(*s);
  e->hdr.size = size;
  if (bpf_ringbuf_output(&rb, s, size, jt_wakeup_flags(&rb))) {
    count_loss(type);
    return 0;
  }
  struct file_proc *p = mark_active(tgid, e->hdr.exec_id);
  if (p && type == JT_EV_FILE_OPEN && ret >= 0) {
    struct fd_key k = {.tgid = tgid, .fd = (__s32)ret};
    struct fd_io io = {};
    if (!bpf_map_update_elem(&open_fds, &k, &io, BPF_ANY)) {
      __sync_fetch_and_add(&p->open_fds, 1);
      if (k.fd > p->max_fd) /* two threads racing here may keep the lower: that entry waits for close */
        p->max_fd = k.fd;
    } else /* the fd's byte totals are never reported */
      count_loss_cause(JT_LOSS_MAP_FULL, JT_EV_FILE_CLOSE);
  }
  return 0;
}

#define ARG(i) ((const void *)ctx->args[i])

SEC("tp/syscalls/sys_enter_open")
int tracepoint__syscalls__sys_enter_open(struct trace_event_raw_sys_enter *ctx)
{ return stash(JT_SYS_OPEN, JT_AT_FDCWD, ARG(0), 0, 0, ctx->args[1], ctx->args[2], 0, 0); }
SEC("tp/syscalls/sys_enter_openat")
int tracepoint__syscalls__sys_enter_openat(struct trace_event_raw_sys_enter *ctx)
{ return stash(JT_SYS_OPENAT, ctx->args[0], ARG(1), 0, 0, ctx->args[2], ctx->args[3], 0, 0); }
SEC("tp/syscalls/sys_enter_openat2")
int tracepoint__syscalls__sys_enter_openat2(struct trace_event_raw_sys_enter *ctx)
{
  struct open_how how = {};
  bpf_probe_read_user(&how, sizeof(how), ARG(2));
  return stash(JT_SYS_OPENAT2, ctx->args[0], ARG(1), 0, 0, how.flags, how.mode, 0, 0);
}
SEC("tp/syscalls/sys_enter_creat")
int tracepoint__syscalls__sys_enter_creat(struct trace_event_raw_sys_enter *ctx)
{ return stash(JT_SYS_CREAT, JT_AT_FDCWD, ARG(0), 0, 0, 01 | 0100 | 01000 /* O_WRONLY|O_CREAT|O_TRUNC */, ctx->args[1], 0, 0); }
SEC("tp/syscalls/sys_enter_unlink")
int tracepoint__syscalls__sys_enter_unlink(struct trace_event_raw_sys_enter *ctx)
{ return stash(JT_SYS_UNLINK, JT_AT_FDCWD, ARG(0), 0, 0, 0, 0, 0, 0); }
SEC("tp/syscalls/sys_enter_unlinkat")
int tracepoint__syscalls__sys_enter_unlinkat(struct trace_event_raw_sys_enter *ctx)
{ return stash(JT_SYS_UNLINKAT, ctx->args[0], ARG(1), 0, 0, ctx->args[2], 0, 0, 0); }
SEC("tp/syscalls/sys_enter_rmdir")
int tracepoint__syscalls__sys_enter_rmdir(struct trace_event_raw_sys_enter *ctx)
{ return stash(JT_SYS_RMDIR, JT_AT_FDCWD, ARG(0), 0, 0, 0, 0, 0, 0); }
SEC("tp/syscalls/sys_enter_rename")
int tracepoint__syscalls__sys_enter_rename(struct trace_event_raw_sys_enter *ctx)
{ return stash(JT_SYS_RENAME, JT_AT_FDCWD, ARG(0), JT_AT_FDCWD, ARG(1), 0, 0, 0, 0); }
SEC("tp/syscalls/sys_enter_renameat")
int tracepoint__syscalls__sys_enter_renameat(struct trace_event_raw_sys_enter *ctx)
{ return stash(JT_SYS_RENAMEAT, ctx->args[0], ARG(1), ctx->args[2], ARG(3), 0, 0, 0, 0); }
SEC("tp/syscalls/sys_enter_renameat2")
int tracepoint__syscalls__sys_enter_renameat2(struct trace_event_raw_sys_enter *ctx)
{ return stash(JT_SYS_RENAMEAT2, ctx->args[0], ARG(1), ctx->args[2], ARG(3), ctx->args[4], 0, 0, 0); }
SEC("tp/syscalls/sys_enter_chmod")
int tracepoint__syscalls__sys_enter_chmod(struct trace_event_raw_sys_enter *ctx)
{ return stash(JT_SYS_CHMOD, JT_AT_FDCWD, ARG(0), 0, 0, 0, ctx->args[1], 0, 0); }
SEC("tp/syscalls/sys_enter_fchmodat")
int tracepoint__syscalls__sys_enter_fchmodat(struct trace_event_raw_sys_enter *ctx)
{ return stash(JT_SYS_FCHMODAT, ctx->args[0], ARG(1), 0, 0, 0, ctx->args[2], 0, 0); }
SEC("tp/syscalls/sys_enter_chown")
int tracepoint__syscalls__sys_enter_chown(struct trace_event_raw_sys_enter *ctx)
{ return stash(JT_SYS_CHOWN, JT_AT_FDCWD, ARG(0), 0, 0, 0, 0, ctx->args[1], ctx->args[2]); }
SEC("tp/syscalls/sys_enter_lchown")
int tracepoint__syscalls__sys_enter_lchown(struct trace_event_raw_sys_enter *ctx)
{ return stash(JT_SYS_LCHOWN, JT_AT_FDCWD, ARG(0), 0, 0, 0, 0, ctx->args[1], ctx->args[2]); }
SEC("tp/syscalls/sys_enter_fchownat")
int tracepoint__syscalls__sys_enter_fchownat(struct trace_event_raw_sys_enter *ctx)
{ return stash(JT_SYS_FCHOWNAT, ctx->args[0], ARG(1), 0, 0, ctx->args[4], 0, ctx->args[2], ctx->args[3]); }
/* symlink(target, linkpath): path1 = the new link (resolved), path2 = its content (as given) */
SEC("tp/syscalls/sys_enter_symlink")
int tracepoint__syscalls__sys_enter_symlink(struct trace_event_raw_sys_enter *ctx)
{ return stash(JT_SYS_SYMLINK, JT_AT_FDCWD, ARG(1), -1, ARG(0), 0, 0, 0, 0); }
SEC("tp/syscalls/sys_enter_symlinkat")
int tracepoint__syscalls__sys_enter_symlinkat(struct trace_event_raw_sys_enter *ctx)
{ return stash(JT_SYS_SYMLINKAT, ctx->args[1], ARG(2), -1, ARG(0), 0, 0, 0, 0); }
SEC("tp/syscalls/sys_enter_link")
int tracepoint__syscalls__sys_enter_link(struct trace_event_raw_sys_enter *ctx)
{ return stash(JT_SYS_LINK, JT_AT_FDCWD, ARG(0), JT_AT_FDCWD, ARG(1), 0, 0, 0, 0); }
SEC("tp/syscalls/sys_enter_linkat")
int tracepoint__syscalls__sys_enter_linkat(struct trace_event_raw_sys_enter *ctx)
{ return stash(JT_SYS_LINKAT, ctx->args[0], ARG(1), ctx->args[2], ARG(3), ctx->args[4], 0, 0, 0); }

#define EXIT(name)                                                                        \
  SEC("tp/syscalls/sys_exit_" #name)                                                      \
  int tracepoint__syscalls__sys_exit_##name(struct trace_event_raw_sys_exit *ctx)         \
  { return emit(ctx->ret, false); }                                                       \
  SEC("tp/syscalls/sys_exit_" #name)                                                      \
  int tracepoint__syscalls__sys_exit_##name##_bounded(struct trace_event_raw_sys_exit *ctx) \
  { return emit(ctx->ret, true); }
EXIT(open) EXIT(openat) EXIT(openat2) EXIT(creat) EXIT(unlink) EXIT(unlinkat) EXIT(rmdir)
EXIT(rename) EXIT(renameat) EXIT(renameat2) EXIT(chmod) EXIT(fchmodat) EXIT(chown) EXIT(lchown)
EXIT(fchownat) EXIT(symlink) EXIT(symlinkat) EXIT(link) EXIT(linkat)

/* ---- byte totals ---- */

static __always_inline int io_enter(__s32 fd, __u32 is_write)
{
  if (!in_scope())
    return 0;
  struct io_args a = {.key = {.tgid = bpf_get_current_pid_tgid() >> 32, .fd = fd}, .is_write = is_write};
  if (!bpf_map_lookup_elem(&open_fds, &a.key))
    return 0; /* pipes, sockets, fds opened before tracing: not counted */
  __u32 tid = (__u32)bpf_get_current_pid_tgid();
  if (bpf_map_update_elem(&io_args, &tid, &a, BPF_ANY)) /* the read/write is missing from the byte totals */
    count_loss_cause(JT_LOSS_MAP_FULL, JT_EV_FILE_CLOSE);
  return 0;
}

static __always_inline int io_exit(long ret)
{
  if (!in_scope())
    return 0;
  __u32 tid = (__u32)bpf_get_current_pid_tgid();
  struct io_args *a = bpf_map_lookup_elem(&io_args, &tid);
  if (!a)
    return 0;
  if (ret > 0) {
    struct fd_io *io = bpf_map_lookup_elem(&open_fds, &a->key);
    if (io) {
      if (a->is_write)
        __sync_fetch_and_add(&io->bytes_written, ret);
      else
        __sync_fetch_and_add(&io->bytes_read, ret);
    }
  }
  bpf_map_delete_elem(&io_args, &tid);
  return 0;
}

#define IO(name, w)                                                                   \
  SEC("tp/syscalls/sys_enter_" #name)                                                 \
  int tracepoint__syscalls__sys_enter_##name(struct trace_event_raw_sys_enter *ctx)   \
  { return io_enter((__s32)ctx->args[0], w); }                                         \
  SEC("tp/syscalls/sys_exit_" #name)                                                  \
  int tracepoint__syscalls__sys_exit_##name(struct trace_event_raw_sys_exit *ctx)     \
  { return io_exit(ctx->ret); }
IO(read, 0) IO(pread64, 0) IO(readv, 0) IO(preadv, 0)
IO(write, 1) IO(pwrite64, 1) IO(writev, 1) IO(pwritev, 1)

static __always_inline void emit_close(struct fd_key *k, struct fd_io *io, __u64 exec_id)
{
  struct file_close_event *e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
  if (!e) {
    count_loss(JT_EV_FILE_CLOSE);
    return;
  }
  jt_header_current(&e->hdr, JT_EV_FILE_CLOSE, sizeof(*e));
  e->hdr.exec_id = exec_id;
  e->fd = k->fd;
  e->pad = 0;
  e->bytes_read = io->bytes_read;
  e->bytes_written = io->bytes_written;
  bpf_ringbuf_submit(e, jt_wakeup_flags(&rb));
}

SEC("tp/syscalls/sys_enter_close")
int tracepoint__syscalls__sys_enter_close(struct trace_event_raw_sys_enter *ctx)
{
  if (!in_scope())
    return 0;
  struct fd_key k = {.tgid = bpf_get_current_pid_tgid() >> 32, .fd = (__s32)ctx->args[0]};
  struct fd_io *io = bpf_map_lookup_elem(&open_fds, &k);
  if (!io)
    return 0;
  emit_close(&k, io, current_exec_id());
  if (!bpf_map_delete_elem(&open_fds, &k)) {
    struct file_proc *p = bpf_map_lookup_elem(&file_active, &k.tgid);
    if (p)
      __sync_fetch_and_sub(&p->open_fds, 1);
  }
  return 0;
}

struct exit_ctx {
  __u32 tgid;
  __u64 exec_id;
  __s64 left; /* entries still to find (an upper bound) */
};

static long flush_fd(struct bpf_map *map, struct fd_key *k, struct fd_io *io, struct exit_ctx *c)
{
  if (k->tgid != c->tgid)
    return 0;
  emit_close(k, io, c->exec_id);
  bpf_map_delete_elem(map, k);
  return --c->left > 0 ? 0 : 1; /* 1 stops the walk: all of them found */
}

/* The bounded exit flush: one fd number of the exiting process; returns 1 when it had an entry. */
__noinline int jt_flush_fd_bounded(__u32 tgid, __s32 fd, __u64 exec_id)
{
  struct fd_key k = {.tgid = tgid, .fd = fd};
  struct fd_io *io = bpf_map_lookup_elem(&open_fds, &k);
  if (!io)
    return 0;
  emit_close(&k, io, exec_id);
  bpf_map_delete_elem(&open_fds, &k);
  return 1;
}

/* fd numbers the bounded exit flush looks at; entries above stay in open_fds, counted as cut */
#define JT_EXIT_FD_STEPS 1024

static __always_inline int on_exit(const bool bounded)
{
  if (!in_scope())
    return 0;
  struct task_struct *task = (struct task_struct *)bpf_get_current_task();
  if (BPF_CORE_READ(task, signal, live.counter) != 0)
    return 0; /* not the last thread */
  __u32 tgid = bpf_get_current_pid_tgid() >> 32;
  struct file_proc *p = bpf_map_lookup_elem(&file_active, &tgid);
  if (!p)
    return 0; /* did no file work: nothing to flush */
  struct exit_ctx c = {.tgid = tgid, .exec_id = p->exec_id, .left = p->open_fds};
  if (bounded) {
    __s32 max_fd = p->max_fd;
    for (__s32 fd = 0; fd < JT_EXIT_FD_STEPS; fd++) {
      if (c.left <= 0 || fd > max_fd)
        break;
      c.left -= jt_flush_fd_bounded(tgid, fd, c.exec_id);
    }
    if (c.left > 0 && max_fd >= JT_EXIT_FD_STEPS) /* their byte totals are never reported */
      count_loss_cause(JT_LOSS_SCAN_CUT, JT_EV_FILE_CLOSE);
  } else if (p->open_fds > 0) {
    bpf_for_each_map_elem(&open_fds, flush_fd, &c, 0);
  }
  struct event_header *e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
  if (e) {
    jt_header_current(e, JT_EV_FILE_EXIT, sizeof(*e));
    e->exec_id = c.exec_id;
    bpf_ringbuf_submit(e, jt_wakeup_flags(&rb));
  } else {
    count_loss(JT_EV_FILE_EXIT);
  }
  bpf_map_delete_elem(&file_active, &tgid);
  return 0;
}

SEC("raw_tp/sched_process_exit")
int raw_tracepoint__sched__sched_process_exit_files(struct bpf_raw_tracepoint_args *ctx)
{ return on_exit(false); }
SEC("raw_tp/sched_process_exit")
int raw_tracepoint__sched__sched_process_exit_files_bounded(struct bpf_raw_tracepoint_args *ctx)
{ return on_exit(true); }
