/* Per-CPU loss counters, indexed by cause and event type (enum jt_loss_cause, enum
 * jt_event_type). Every failed ring-buffer reserve/output calls count_loss(type), every other
 * way an event is lost or cut count_loss_cause(cause, type); user space sums the per-CPU
 * values, and writes the deltas into the trail as `lost` events. Each object has its own
 * jt_loss map (no sharing needed): the sidecar reads each tracer's map. */
#ifndef JOBTRAIL_LOSS_BPF_H
#define JOBTRAIL_LOSS_BPF_H

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, JT_LOSS_SLOTS);
  __type(key, __u32);
  __type(value, __u64);
} jt_loss SEC(".maps");

static __always_inline void count_loss_cause(__u32 cause, __u32 type)
{
  __u32 slot = cause * (JT_EV_TYPE_MAX + 1) + type;
  __u64 *n = bpf_map_lookup_elem(&jt_loss, &slot);
  if (n)
    *n += 1; /* per-CPU slot: no atomics needed */
}

static __always_inline void count_loss(__u32 type)
{
  count_loss_cause(JT_LOSS_RING_FULL, type);
}

#endif
