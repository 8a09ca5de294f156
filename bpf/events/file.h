/* File family records (file.bpf.c -> sidecar/file_tracer.cpp). Variable parts follow the
 * fixed part in data[], each NUL-terminated and counted by its *_len (0 = absent), in
 * this order: path1, dir1, path2, dir2. dirN is the absolute directory a relative pathN is relative to
 * (the cwd or the dirfd's path), filled only when pathN is relative. */
#ifndef JOBTRAIL_EVENTS_FILE_H
#define JOBTRAIL_EVENTS_FILE_H

#include "common.h"

#define JT_FILE_PATH_MAX 4096

enum jt_file_event_type {
  JT_EV_FILE_OPEN = 100,
  JT_EV_FILE_CLOSE = 101,  /* byte totals of an open file description at its release */
  JT_EV_FILE_CHANGE = 102,
  JT_EV_FILE_EXIT = 103,   /* a process that did file work exited: user space flushes folds */
};

enum jt_file_syscall {
  JT_SYS_OPEN = 1, JT_SYS_OPENAT, JT_SYS_OPENAT2, JT_SYS_CREAT,
  JT_SYS_UNLINK, JT_SYS_UNLINKAT, JT_SYS_RMDIR, JT_SYS_RENAME, JT_SYS_RENAMEAT, JT_SYS_RENAMEAT2,
  JT_SYS_CHMOD, JT_SYS_FCHMODAT, JT_SYS_CHOWN, JT_SYS_LCHOWN, JT_SYS_FCHOWNAT,
  JT_SYS_SYMLINK, JT_SYS_SYMLINKAT, JT_SYS_LINK, JT_SYS_LINKAT,
};

enum jt_file_flags {
  JT_FILE_PATH1_TRUNCATED = 1 << 0,
  JT_FILE_DIR1_TRUNCATED = 1 << 1,
  JT_FILE_PATH2_TRUNCATED = 1 << 2,
  JT_FILE_DIR2_TRUNCATED = 1 << 3,
  JT_FILE_UNREADABLE = 1 << 4, /* a user path could not be read */
};

/* JT_EV_FILE_OPEN and JT_EV_FILE_CHANGE */
struct file_event {
  struct event_header hdr;
  __s64 ret;       /* syscall result: fd / 0, or -errno */
  __u64 open_flags; /* O_* flags (open family) */
  __u32 mode;      /* creation mode (open/creat) or chmod mode */
  __u32 uid, gid;  /* chown: (u32)-1 = unchanged */
  __u16 syscall;   /* enum jt_file_syscall */
  __u16 flags;     /* enum jt_file_flags */
  __u16 dir1_len, path1_len, dir2_len, path2_len;
  __u32 pad;
  __u64 file_id;   /* a successful open: the open file description it created (internal join key) */
  /* followed by data */
};

#define JT_FILE_WRITERS_MAX 8

/* One exec that wrote through a description, whatever fd number and process it used. */
struct jt_file_writer {
  __u64 exec_id; /* 0 = free slot */
  __u64 bytes_written;
};

enum jt_file_io_flags {
  JT_FILE_IO_WRITERS_CUT = 1 << 0,    /* more execs wrote than by_exec has slots: in the totals only */
  JT_FILE_IO_RELEASE_UNSEEN = 1 << 1, /* released where no program sees it (close-on-exec, a reference the
                                       * walk at exit could not match): reported when its address came
                                       * back for a new open, or at the trail's end */
};

/* Byte totals of one open file description (the kernel's struct file), kept from the open that
 * created it until the last reference goes: every read and write through any fd and process. */
struct file_totals {
  __u64 file_id;      /* as in the opening file_event */
  __u64 open_exec_id; /* the exec that opened it */
  __u32 open_pid;
  __s32 open_fd;
  __u64 bytes_read, bytes_written;
  __u16 flags;        /* enum jt_file_io_flags */
  __u16 mapped;       /* internal: mmap()ed through a counted fd (its close then ends the totals) */
  __u32 exit_refs;    /* internal: references the exiting process's fd table holds (walk at exit) */
  __u64 exit_mark;    /* internal: which exit walk counted exit_refs */
  struct jt_file_writer by_exec[JT_FILE_WRITERS_MAX];
};

/* JT_EV_FILE_CLOSE: the header names the releasing task. */
struct file_close_event {
  struct event_header hdr;
  struct file_totals t;
};

#endif
