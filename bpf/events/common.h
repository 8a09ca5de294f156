/* Shared between BPF programs and user space (plain C, fixed-width types only).
 * Every record in the jobtrail ring buffer starts with struct event_header; the user-space
 * decoder checks header.size against the bytes received before reading further.
 * Layout is guarded by static_assert/offsetof checks in the decoder tests
 * (tests/unit/process_decode_test.cpp, tests/net/family_decode_test.cpp). */
#ifndef JOBTRAIL_EVENTS_COMMON_H
#define JOBTRAIL_EVENTS_COMMON_H

#ifdef __BPF__
/* vmlinux.h provides __u8.. __u64 */
#else
#include <linux/types.h>
#endif

/* Event type ranges: one per tracer family (docs/schema.md). All families share one ring
 * buffer; the range of a record's type says which family's decoder reads it
 * (sidecar/record_router.*): a type in no range is a counted loss. */
enum jt_event_type {
  JT_EV_PROCESS_EXEC = 1,
  JT_EV_PROCESS_EXIT = 2,
  JT_EV_PROCESS_MAX = 99,
  JT_EV_FILE_MIN = 100, /* 100-199: files */
  JT_EV_NET_MIN = 200,  /* 200-299: network */
  JT_EV_DNS_MIN = 300,  /* 300-399: DNS */
  JT_EV_PRIV_MIN = 400, /* 400-499: privilege and notable syscalls */
  JT_EV_PRIV_MAX = 499,
  JT_EV_TYPE_MAX = 511, /* loss counters are indexed by type, 0..JT_EV_TYPE_MAX */
};

/* Why an event never reached its ring. The loss map holds one row of event types per cause:
 * slot = cause * (JT_EV_TYPE_MAX + 1) + type (bpf/lib/loss.bpf.h); user space names each
 * (sidecar/loss_names.*). Every cause is a loss the job can provoke, so none may be silent. */
enum jt_loss_cause {
  JT_LOSS_RING_FULL = 0, /* ring-buffer reserve/output failed */
  JT_LOSS_MAP_FULL = 1,  /* a per-thread or per-fd map had no room (e.g. 16k threads blocked in accept) */
  JT_LOSS_SCRATCH = 2,   /* no per-CPU scratch memory for the event */
  JT_LOSS_SCAN_CUT = 3,  /* a bounded scan stopped early (the env scan's variable limit): event sent, incomplete */
  JT_LOSS_CAUSES = 4,
};
#define JT_LOSS_SLOTS (JT_LOSS_CAUSES * (JT_EV_TYPE_MAX + 1))

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
