// SPDX-License-Identifier: GPL-2.0
/* File family: opens (open/openat/openat2/creat), changes (unlink/rename/chmod/chown/
 * symlink/link), byte totals per open file description (read/write family, sendfile, splice,
 * copy_file_range; not mmap) reported when its last reference is released.
 * Arguments are stashed per thread at sys_enter and the record is built at sys_exit with the
 * result. Every program checks in_scope() first. Folding happens in user space.
 *
 * The programs that loop come in two variants, the loader autoloads one (sidecar/file_tracer.cpp):
 *   tracepoint__syscalls__sys_exit_* and ..._sched_process_exit_files: bpf_loop (5.17+) for the
 *     path walk of a relative path's directory, bpf_loop for the walk of the fd table at exit;
 *   the same names with _bounded: bounded loops of global-function steps (5.10+). The walk
 *     steps find their state in this CPU's path_scratch (a global function takes only scalars on
 *     5.10). Both record the same fields. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "events/process.h" /* JT_PATH_MAX for the path walk */
#include "events/file.h"
#include "lib/scope.bpf.h"
#include "lib/exec_ref.bpf.h"
#include "lib/loss.bpf.h"
#include "lib/ring.bpf.h"
#include "lib/wakeup.bpf.h"
#include "lib/path.bpf.h"
#include "lib/fd.bpf.h"
#include "lib/file_paths.bpf.h"
#include "lib/file_refs.bpf.h"

char LICENSE[] SEC("license") = "GPL";

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

/* open file description (struct file address) -> its byte totals, from the open that created
 * it to the release of its last reference. Keyed by the description, not (process, fd): a shell
 * redirection opens in one process and writes through a dup2ed, inherited fd in another. */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 16384);
  __type(key, __u64);
  __type(value, struct file_totals);
} open_files SEC(".maps");

/* a read/write/sendfile/splice in flight on tracked descriptions, per thread (0 = none) */
struct io_args {
  __u64 in_file, out_file;
};
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 16384);
  __type(key, __u32);
  __type(value, struct io_args);
} io_args SEC(".maps");

/* tgid -> processes that emitted file records: their exec_id (the process object drops its
 * exec ref at exit before we run, so it is kept here for the exit record that lets user space
 * release the exec's folds). */
struct file_proc {
  __u64 exec_id;
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

/* Reports a description's totals (the header names the current task, exec_id if known) and
 * forgets it. */
static __always_inline void release_totals(__u64 file_id, struct file_totals *t, __u16 flags, __u64 exec_id)
{
  struct file_close_event *e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
  if (e) {
    jt_header_current(&e->hdr, JT_EV_FILE_CLOSE, sizeof(*e));
    if (exec_id)
      e->hdr.exec_id = exec_id;
    e->t = *t;
    e->t.flags |= flags;
    bpf_ringbuf_submit(e, jt_wakeup_flags(&rb));
  } else {
    count_loss(JT_EV_FILE_CLOSE);
  }
  bpf_map_delete_elem(&open_files, &file_id);
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
  e->file_id = 0;
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
  __u64 file_id = 0;
  if (type == JT_EV_FILE_OPEN && ret >= 0) {
    file_id = (__u64)jt_fd_file((__u32)ret);
    /* An entry under this address is a description whose release no program saw, now freed
     * and its memory reused: its totals go first, so that they precede the new open. */
    struct file_totals *stale = file_id ? bpf_map_lookup_elem(&open_files, &file_id) : 0;
    if (stale)
      release_totals(file_id, stale, JT_FILE_IO_RELEASE_UNSEEN, 0);
    /* Counted from here on only when the map takes it: user space keeps an open's path until
     * its release, so a description the map could not hold must not carry an id whose release
     * never comes (a job holding a million files open would grow the sidecar without bound). */
    struct file_totals t = {.file_id = file_id, .open_exec_id = e->hdr.exec_id, .open_pid = tgid, .open_fd = (__s32)ret};
    if (file_id && bpf_map_update_elem(&open_files, &file_id, &t, BPF_NOEXIST)) {
      count_loss_cause(JT_LOSS_MAP_FULL, JT_EV_FILE_CLOSE); /* its byte totals are never reported */
      file_id = 0;
    }
    e->file_id = file_id;
  }
  if (bpf_ringbuf_output(&rb, s, size, jt_wakeup_flags(&rb))) {
    count_loss(type);
    if (file_id) /* no open in the trail to attribute the totals to */
      bpf_map_delete_elem(&open_files, &file_id);
    return 0;
  }
  mark_active(tgid, e->hdr.exec_id);
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

/* ---- byte totals per open file description ---- */

/* The description behind fd when it is one we count, else 0. */
static __always_inline __u64 tracked_file(__s32 fd)
{
  if (fd < 0)
    return 0;
  __u64 f = (__u64)jt_fd_file((__u32)fd);
  return f && bpf_map_lookup_elem(&open_files, &f) ? f : 0;
}

/* A syscall moving bytes out of in_fd and/or into out_fd (-1: none); pipes, sockets and files
 * opened before tracing are not counted. */
static __always_inline int io_enter(__s32 in_fd, __s32 out_fd)
{
  if (!in_scope())
    return 0;
  struct io_args a = {.in_file = tracked_file(in_fd), .out_file = tracked_file(out_fd)};
  if (!a.in_file && !a.out_file)
    return 0;
  __u32 tid = (__u32)bpf_get_current_pid_tgid();
  if (bpf_map_update_elem(&io_args, &tid, &a, BPF_ANY)) /* the bytes are missing from the totals */
    count_loss_cause(JT_LOSS_MAP_FULL, JT_EV_FILE_CLOSE);
  return 0;
}

/* Adds n written bytes to the totals and to the current exec's writer slot. Claiming a free
 * slot is a plain store (no compare-and-swap before 5.12): two execs claiming the same slot at
 * the same instant both read it back and the loser moves on, unless both read before either
 * wrote, when one exec's bytes count under the other's; the totals stay exact. */
static __always_inline void add_written(struct file_totals *t, __u64 n)
{
  __sync_fetch_and_add(&t->bytes_written, n);
  __u64 exec_id = current_exec_id();
  if (!exec_id)
    return;
#pragma unroll
  for (int i = 0; i < JT_FILE_WRITERS_MAX; i++) {
    struct jt_file_writer *w = &t->by_exec[i];
    if (!w->exec_id)
      w->exec_id = exec_id;
    if (w->exec_id == exec_id) {
      __sync_fetch_and_add(&w->bytes_written, n);
      return;
    }
  }
  t->flags |= JT_FILE_IO_WRITERS_CUT;
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
    struct file_totals *t = a->in_file ? bpf_map_lookup_elem(&open_files, &a->in_file) : 0;
    if (t)
      __sync_fetch_and_add(&t->bytes_read, ret);
    t = a->out_file ? bpf_map_lookup_elem(&open_files, &a->out_file) : 0;
    if (t)
      add_written(t, ret);
  }
  bpf_map_delete_elem(&io_args, &tid);
  return 0;
}

#define IO(name, in_fd, out_fd)                                                       \
  SEC("tp/syscalls/sys_enter_" #name)                                                 \
  int tracepoint__syscalls__sys_enter_##name(struct trace_event_raw_sys_enter *ctx)   \
  { return io_enter(in_fd, out_fd); }                                                 \
  SEC("tp/syscalls/sys_exit_" #name)                                                  \
  int tracepoint__syscalls__sys_exit_##name(struct trace_event_raw_sys_exit *ctx)     \
  { return io_exit(ctx->ret); }
#define FD(i) ((__s32)ctx->args[i])
IO(read, FD(0), -1) IO(pread64, FD(0), -1) IO(readv, FD(0), -1) IO(preadv, FD(0), -1) IO(preadv2, FD(0), -1)
IO(write, -1, FD(0)) IO(pwrite64, -1, FD(0)) IO(writev, -1, FD(0)) IO(pwritev, -1, FD(0)) IO(pwritev2, -1, FD(0))
/* sendfile(out, in, ...), splice(in, off, out, ...), copy_file_range(in, off, out, ...): the
 * bytes moved count as read from in and written to out */
IO(sendfile64, FD(1), FD(0)) IO(splice, FD(0), FD(2)) IO(copy_file_range, FD(0), FD(2))

/* fd is about to be dropped from the current task's table (close, or dup2/dup3 onto it): when
 * that is the description's last reference, its totals are final. */
static __always_inline int on_fd_drop(__s32 fd)
{
  if (!in_scope() || fd < 0)
    return 0;
  struct file *f = jt_fd_file((__u32)fd);
  __u64 file_id = (__u64)f;
  if (!f)
    return 0;
  struct file_totals *t = bpf_map_lookup_elem(&open_files, &file_id);
  /* A mapping holds a reference of its own that cannot be told from another fd's: a mapped
   * description ends its totals at this close (bytes through the mapping are not counted). */
  if (t && (jt_file_refs(f) <= 1 || t->mapped))
    release_totals(file_id, t, 0, 0);
  return 0;
}

/* the loader maps libraries and ld.so.cache and closes them while mapped */
SEC("tp/syscalls/sys_enter_mmap")
int tracepoint__syscalls__sys_enter_mmap(struct trace_event_raw_sys_enter *ctx)
{
  if (!in_scope() || FD(4) < 0)
    return 0;
  __u64 file_id = tracked_file(FD(4));
  struct file_totals *t = file_id ? bpf_map_lookup_elem(&open_files, &file_id) : 0;
  if (t)
    t->mapped = 1;
  return 0;
}

SEC("tp/syscalls/sys_enter_close")
int tracepoint__syscalls__sys_enter_close(struct trace_event_raw_sys_enter *ctx)
{ return on_fd_drop(FD(0)); }
SEC("tp/syscalls/sys_enter_dup2")
int tracepoint__syscalls__sys_enter_dup2(struct trace_event_raw_sys_enter *ctx)
{ return FD(0) == FD(1) ? 0 : on_fd_drop(FD(1)); }
SEC("tp/syscalls/sys_enter_dup3")
int tracepoint__syscalls__sys_enter_dup3(struct trace_event_raw_sys_enter *ctx)
{ return FD(0) == FD(1) ? 0 : on_fd_drop(FD(1)); }

/* ---- the walk at exit: the exiting process's fd table, whose references exit_files() drops
 * right after this tracepoint. A description referenced by several of its fds (2>&1) is
 * released when the walk has counted as many references as it has. */

#define JT_EXIT_FD_STEPS 1024 /* fd slots looked at; descriptions above wait for RELEASE_UNSEEN */

static __always_inline void exit_fd_step(__u64 fds, __u32 i, __u64 mark, __u64 exec_id)
{
  struct file *f = 0;
  bpf_probe_read_kernel(&f, sizeof(f), (struct file **)fds + i);
  __u64 file_id = (__u64)f;
  if (!f)
    return;
  struct file_totals *t = bpf_map_lookup_elem(&open_files, &file_id);
  if (!t)
    return;
  if (t->exit_mark != mark) {
    t->exit_mark = mark;
    t->exit_refs = 0;
  }
  t->exit_refs += 1;
  if (t->exit_refs >= jt_file_refs(f))
    release_totals(file_id, t, 0, exec_id);
}

/* Whether slot i holds an fd, from the fd table's open_fds bitmap: one read per 64 slots, so
 * that the walk costs a read and a lookup per open fd, not per slot (most of a table is empty). */
static __always_inline bool slot_open(__u64 open_fds, __u32 i, __u64 *word)
{
  if ((i & 63) == 0) {
    *word = 0;
    bpf_probe_read_kernel(word, sizeof(*word), (__u64 *)open_fds + (i >> 6));
  }
  return (*word >> (i & 63)) & 1;
}

struct exit_walk {
  __u64 fds, open_fds, word, mark, exec_id;
};

static long exit_fd_cb(__u32 i, void *ctx)
{
  struct exit_walk *w = ctx;
  if (slot_open(w->open_fds, i, &w->word))
    exit_fd_step(w->fds, i, w->mark, w->exec_id);
  return 0;
}

/* the bounded variant's step: a global function takes only scalars on 5.10 */
__noinline int jt_exit_fd_step_bounded(__u64 fds, __u32 i, __u64 mark, __u64 exec_id)
{
  exit_fd_step(fds, i, mark, exec_id);
  return 0;
}

static __always_inline int on_exit(const bool bounded)
{
  if (!in_scope())
    return 0;
  struct task_struct *task = (struct task_struct *)bpf_get_current_task();
  if (BPF_CORE_READ(task, signal, live.counter) != 0)
    return 0; /* not the last thread */
  __u32 tgid = bpf_get_current_pid_tgid() >> 32;
  struct file_proc *p = bpf_map_lookup_elem(&file_active, &tgid);
  __u64 exec_id = p ? p->exec_id : 0;
  unsigned int max_fds = 0;
  __u64 open_fds = 0;
  struct file **fds = jt_own_fd_table(&max_fds, &open_fds);
  if (fds && open_fds) {
    __u32 n = max_fds < JT_EXIT_FD_STEPS ? max_fds : JT_EXIT_FD_STEPS;
    /* the walk's mark: this process and this moment (a later process may reuse the tgid) */
    __u64 mark = ((__u64)tgid << 32) ^ bpf_ktime_get_ns();
    if (bounded) {
      __u64 word = 0;
      for (__u32 i = 0; i < JT_EXIT_FD_STEPS; i++) {
        if (i >= n)
          break;
        if (slot_open(open_fds, i, &word))
          jt_exit_fd_step_bounded((__u64)fds, i, mark, exec_id);
      }
    } else {
      struct exit_walk w = {.fds = (__u64)fds, .open_fds = open_fds, .mark = mark, .exec_id = exec_id};
      bpf_loop(n, exit_fd_cb, &w, 0);
    }
  }
  if (!p)
    return 0; /* did no file work: no folds to release */
  struct event_header *e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
  if (e) {
    jt_header_current(e, JT_EV_FILE_EXIT, sizeof(*e));
    e->exec_id = exec_id;
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
