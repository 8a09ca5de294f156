/* The one ring buffer every family's records go into. Each object declares it, and the sidecar
 * creates it once (sidecar/shared_ring.*, sized by --ring-buffer-kib) and hands the same fd to
 * every object before load (bpf_map__reuse_fd): records of all families then reach user space in
 * the order the kernel reserved them, so an exec's record is always read before every later
 * record of that exec, and the reader dispatches each by its event_header.type range
 * (sidecar/record_router.*). The size here is a placeholder the reuse replaces. */
#ifndef JOBTRAIL_RING_BPF_H
#define JOBTRAIL_RING_BPF_H

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 1 << 12);
} rb SEC(".maps");

#endif
