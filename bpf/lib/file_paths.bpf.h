/* Copying the paths of a file syscall into a record: the user string as given, and for a
 * relative one the absolute directory it is relative to (cwd or dirfd), walked with the
 * core's path walk (lib/path.bpf.h): bpf_loop, or where the kernel has none (before 5.17) a
 * bounded loop of jt_file_path_step_bounded, a global function the including object defines
 * over its own per-CPU walk state. Offsets into data[] are masked so the verifier can bound
 * every write; data[] has one spare slot beyond the mask. */
#ifndef JOBTRAIL_FILE_PATHS_BPF_H
#define JOBTRAIL_FILE_PATHS_BPF_H

#define JT_FILE_DATA_MASK (4 * JT_FILE_PATH_MAX - 1)
#define JT_AT_FDCWD -100

/* One step of the walk in the bounded variant: jt_path_step on the object's walk state. */
int jt_file_path_step_bounded(__u32 index);

/* Copies a user string to data+off; returns bytes written (with NUL), 0 if unreadable. */
static __always_inline __u32 jt_put_user_path(char *data, __u32 off, const char *uptr, __u16 *flags,
                                              __u16 trunc_flag)
{
  if (!uptr)
    return 0;
  long n = bpf_probe_read_user_str(data + (off & JT_FILE_DATA_MASK), JT_FILE_PATH_MAX, uptr);
  if (n <= 0) {
    *flags |= JT_FILE_UNREADABLE;
    return 0;
  }
  if (n >= JT_FILE_PATH_MAX)
    *flags |= trunc_flag;
  return (__u32)n;
}

/* For a relative path at data+path_off, copies the directory it is relative to (dirfd or
 * cwd) to data+off; returns bytes written (with NUL), 0 when the path is absolute. */
static __always_inline __u32 jt_put_base_dir(char *data, __u32 path_off, __u32 path_len, __u32 off, int dirfd,
                                             struct jt_path_state *st, __u16 *flags, __u16 trunc_flag,
                                             const bool bounded)
{
  if (!path_len || data[path_off & JT_FILE_DATA_MASK] == '/')
    return 0;
  struct task_struct *task = (struct task_struct *)bpf_get_current_task();
  struct fs_struct *fs = BPF_CORE_READ(task, fs);
  struct path *base;
  if (dirfd == JT_AT_FDCWD) {
    base = &fs->pwd;
  } else {
    struct file *f = jt_fd_file((__u32)dirfd);
    if (!f)
      return 0;
    base = (struct path *)&f->f_path;
  }
  int truncated = 0;
  __u32 pos;
  if (bounded) {
    jt_path_walk_start(base, &fs->root, st);
    for (__u32 i = 0; i < JT_PATH_STEPS; i++)
      if (jt_file_path_step_bounded(i))
        break;
    pos = jt_path_walk_result(st, &truncated);
  } else {
    pos = jt_path_walk(base, &fs->root, st, &truncated);
  }
  if (truncated)
    *flags |= trunc_flag;
  __u32 len = JT_PATH_MAX - pos;
  if (len < 1 || len > JT_FILE_PATH_MAX)
    return 0;
  __u32 n = ((len - 1) & (JT_FILE_PATH_MAX - 1)) + 1;
  bpf_probe_read_kernel(data + (off & JT_FILE_DATA_MASK), n, st->buf + (pos & (JT_PATH_MAX - 1)));
  return n;
}

#endif
