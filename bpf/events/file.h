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
  JT_EV_FILE_CLOSE = 101,  /* byte totals of a successfully opened fd at close/exit */
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
  /* followed by data */
};

struct file_close_event {
  struct event_header hdr;
  __s32 fd;
  __u32 pad;
  __u64 bytes_read;
  __u64 bytes_written;
};

#endif
