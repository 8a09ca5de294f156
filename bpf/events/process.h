/* Process family records (process.bpf.c -> sidecar/process_tracer.cpp).
 * Variable parts of an exec follow the fixed part in data[], in this order, each
 * NUL-separated and counted by its *_len: binary path, cwd, allow-listed env entries
 * ("NAME=value\0" only for names in process.bpf.c's allow-list), argv (NUL-separated). */
#ifndef JOBTRAIL_EVENTS_PROCESS_H
#define JOBTRAIL_EVENTS_PROCESS_H

#include "common.h"
#include "net.h" /* struct jt_flow: the connection on a socket stdin/stdout */

#define JT_PATH_MAX 4096
#define JT_ENV_MAX 2048      /* allow-listed env entries, total */
#define JT_ENV_VALUE_MAX 256 /* one entry "NAME=value" */
#define JT_ARGS_MAX 65536    /* argv bytes; more sets JT_EXEC_ARGS_TRUNCATED */

enum jt_exec_flags {
  JT_EXEC_ARGS_TRUNCATED = 1 << 0,
  JT_EXEC_CWD_TRUNCATED = 1 << 1,   /* deeper than the walk limit or longer than JT_PATH_MAX */
  JT_EXEC_BINARY_TRUNCATED = 1 << 2,
  JT_EXEC_ENV_TRUNCATED = 1 << 3,   /* an allow-listed value was longer than JT_ENV_VALUE_MAX */
  JT_EXEC_ARGS_UNREADABLE = 1 << 4, /* the argv pages could not be read */
  JT_EXEC_STDIN_PIPE = 1 << 5,      /* fd 0 is a pipe (FIFO inode), stdin_ino valid */
  JT_EXEC_STDOUT_PIPE = 1 << 6,     /* fd 1 is a pipe, stdout_ino valid */
  JT_EXEC_STDIN_SOCKET = 1 << 7,    /* fd 0 is a socket; stdin_flow holds its connection if inet tcp/udp */
  JT_EXEC_STDOUT_SOCKET = 1 << 8,   /* fd 1 is a socket; stdout_flow likewise */
  JT_EXEC_STDIN_TTY = 1 << 9,       /* fd 0 is a terminal (tty, console, pty slave) */
};

enum jt_ns_index { JT_NS_MNT, JT_NS_PID, JT_NS_NET, JT_NS_UTS, JT_NS_IPC, JT_NS_USER, JT_NS_CGROUP, JT_NS_COUNT };

struct process_exec_event {
  struct event_header hdr; /* hdr.exec_id is the NEW exec_id */
  __u64 parent_exec_id;
  __u64 stdin_ino;  /* inode of fd 0 (pipe inode if JT_EXEC_STDIN_PIPE) */
  __u64 stdout_ino; /* inode of fd 1 */
  __u32 ppid;       /* real parent tgid (host) */
  __u32 ns_pid;     /* tgid in the task's own pid namespace */
  __u32 ns_ppid;    /* parent tgid in the task's pid namespace (0 if outside it) */
  __u32 old_tid;    /* thread id that called execve (!= pid: exec from a non-main thread) */
  __u32 uid, gid, euid, egid;
  __u32 ns_inum[JT_NS_COUNT];
  __u32 flags;      /* enum jt_exec_flags */
  __u16 binary_len, cwd_len, env_len, pad0;
  __u32 args_len;
  __u32 pad1;
  struct jt_flow stdin_flow;  /* family 0 unless fd 0 is an inet tcp/udp socket */
  struct jt_flow stdout_flow; /* family 0 unless fd 1 is an inet tcp/udp socket */
  /* followed by data[binary_len + cwd_len + env_len + args_len] */
};

struct process_exit_event {
  struct event_header hdr;
  __u64 duration_ns; /* since the fork (or exec, if the fork was not seen) */
  __u32 exit_code;   /* raw wait status: code << 8 | signal (| 0x80 core dumped) */
  __u32 ppid;
};

#endif
