/* How many references an open file description (struct file) has, read with CO-RE: the
 * release of its last one is where its byte totals are reported (file.bpf.c). */
#ifndef JOBTRAIL_FILE_REFS_BPF_H
#define JOBTRAIL_FILE_REFS_BPF_H

#include <bpf/bpf_core_read.h>

/* Before 6.13 the count is atomic_long_t f_count; since 6.13 (file_ref_t, "fs: add file_ref")
 * it is f_ref.refcnt holding the count minus one (FILE_REF_ONEREF is 0). */
struct file___f_count {
  atomic_long_t f_count;
} __attribute__((preserve_access_index));
struct file___f_ref {
  struct {
    atomic_long_t refcnt;
  } f_ref;
} __attribute__((preserve_access_index));

static __always_inline long jt_file_refs(struct file *f)
{
  struct file___f_count *old = (void *)f;
  if (bpf_core_field_exists(old->f_count))
    return BPF_CORE_READ(old, f_count.counter);
  struct file___f_ref *now = (void *)f;
  long c = BPF_CORE_READ(now, f_ref.refcnt.counter);
  return c < 0 ? 0 : c + 1; /* negative: released or dead */
}

/* The fd table of the current task, when no other process shares it (CLONE_FILES without
 * CLONE_THREAD): what its exit releases. */
static __always_inline struct file **jt_own_fd_table(unsigned int *max_fds, __u64 *open_fds)
{
  struct task_struct *task = (struct task_struct *)bpf_get_current_task();
  struct files_struct *files = BPF_CORE_READ(task, files);
  if (!files || BPF_CORE_READ(files, count.counter) != 1)
    return 0;
  *max_fds = BPF_CORE_READ(files, fdt, max_fds);
  *open_fds = (__u64)BPF_CORE_READ(files, fdt, open_fds); /* bitmap of the slots in use */
  return BPF_CORE_READ(files, fdt, fd);
}

#endif
