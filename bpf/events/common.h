/* Shared between BPF programs and user space (plain C, fixed-width types only).
 * Every record in a jobtrail ring buffer starts with struct event_header; the user-space
 * decoder checks header.size against the bytes received before reading further.
 * Layout is guarded by tests/events/layout_test.cpp (static_assert/offsetof). */
#ifndef JOBTRAIL_EVENTS_COMMON_H
#define JOBTRAIL_EVENTS_COMMON_H

#ifdef __BPF__
/* vmlinux.h provides __u8.. __u64 */
#else
#include <linux/types.h>
#endif

/* Event type ranges: one per tracer family (docs/schema.md). */
enum jt_event_type {
  JT_EV_PROCESS_EXEC = 1,
  JT_EV_PROCESS_EXIT = 2,
  JT_EV_PROCESS_MAX = 99,
  JT_EV_FILE_MIN = 100, /* 100-199: files (issue 3) */
  JT_EV_NET_MIN = 200,  /* 200-299: network */
  JT_EV_DNS_MIN = 300,  /* 300-399: DNS */
  JT_EV_PRIV_MIN = 400, /* 400-499: privilege and notable syscalls */
  JT_EV_TYPE_MAX = 511, /* loss counters are indexed by type, 0..JT_EV_TYPE_MAX */
};

/* Header flags (bit set). */
enum jt_header_flags {
  JT_HDR_TRUNCATED = 1 << 0, /* some variable part did not fit: the decoder says so, never silent */
};

/* 40 bytes, first in every record. */
struct event_header {
  __u16 type;      /* enum jt_event_type */
  __u16 flags;     /* enum jt_header_flags */
  __u32 size;      /* total bytes of this record, header included */
  __u64 ktime_ns;  /* bpf_ktime_get_ns() (CLOCK_MONOTONIC); user space converts to wall time */
  __u32 pid;       /* tgid as seen from the host */
  __u32 tid;       /* thread id as seen from the host */
  __u64 exec_id;   /* exec reference of the process (lib/exec_ref.bpf.h); 0 if unknown */
  __u64 cgroup_id; /* bpf_get_current_cgroup_id(): which container of the pod */
};

#endif
