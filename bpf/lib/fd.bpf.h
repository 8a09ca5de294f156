/* The struct file behind a file descriptor of the current task, read with CO-RE. */
#ifndef JOBTRAIL_FD_BPF_H
#define JOBTRAIL_FD_BPF_H

#ifndef S_IFMT
#define S_IFMT 00170000
#endif
#ifndef S_IFIFO
#define S_IFIFO 0010000
#endif

/* The struct file behind fd in the current task, or NULL. */
static __always_inline struct file *jt_fd_file(__u32 fd)
{
  struct task_struct *task = (struct task_struct *)bpf_get_current_task();
  struct file **fds = BPF_CORE_READ(task, files, fdt, fd);
  unsigned int max = BPF_CORE_READ(task, files, fdt, max_fds);
  struct file *f = 0;
  if (!fds || fd >= max)
    return 0;
  bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
  return f;
}

#endif
