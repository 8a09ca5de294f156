/* When a record wakes the sidecar. With the kernel's default (flags 0) every record submitted
 * while the consumer has caught up wakes it: an irq_work on the producing task's CPU and a
 * wake-up of the sidecar's thread, paid by the traced process, per record. During an
 * exec-heavy job the consumer is always caught up, so that was every record.
 * Records are submitted without a wake-up until a sixteenth of the ring is waiting; the sidecar
 * reads the ring at each poll timeout anyway (sidecar/pipeline.cpp: at most 100 ms late), and a
 * burst wakes it long before the ring can fill. The ring is the one all families share
 * (lib/ring.bpf.h): what is waiting is every family's, so a burst of one family wakes the
 * sidecar for the records of all. */
#ifndef JOBTRAIL_WAKEUP_BPF_H
#define JOBTRAIL_WAKEUP_BPF_H

static __always_inline __u64 jt_wakeup_flags(void *ring)
{
  __u64 waiting = bpf_ringbuf_query(ring, BPF_RB_AVAIL_DATA);
  return waiting >= bpf_ringbuf_query(ring, BPF_RB_RING_SIZE) / 16 ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

#endif
