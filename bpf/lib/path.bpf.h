/* Absolute path of a struct path, walking dentries up to the task's root and crossing
 * mount points (bpf_d_path is not available to raw tracepoints). Written backwards into a
 * per-CPU scratch buffer; returns the start offset of the NUL-terminated path in buf. */
#ifndef JOBTRAIL_PATH_BPF_H
#define JOBTRAIL_PATH_BPF_H

#define JT_PATH_DEPTH 8
#define JT_NAME_MAX 255

/* buf must have JT_PATH_MAX + JT_NAME_MAX + 1 bytes. *truncated set when the walk gave up. */
static __always_inline __u32 jt_path_walk(struct path *p, struct path *root, char *buf, int *truncated)
{
  struct dentry *d = BPF_CORE_READ(p, dentry);
  struct vfsmount *vm = BPF_CORE_READ(p, mnt);
  struct mount *mnt = container_of(vm, struct mount, mnt);
  struct dentry *root_d = BPF_CORE_READ(root, dentry);
  struct vfsmount *root_vm = BPF_CORE_READ(root, mnt);
  __u32 pos = JT_PATH_MAX - 1;
  int done = 0;

  buf[JT_PATH_MAX - 1] = 0;
  for (int i = 0; i < JT_PATH_DEPTH; i++) {
    if (d == root_d && vm == root_vm) {
      done = 1;
      break;
    }
    struct dentry *mnt_root = BPF_CORE_READ(vm, mnt_root);
    struct dentry *parent = BPF_CORE_READ(d, d_parent);
    if (d == mnt_root || d == parent) {
      struct mount *mp = BPF_CORE_READ(mnt, mnt_parent);
      if (mp == mnt) { /* top of the mount tree */
        done = 1;
        break;
      }
      d = BPF_CORE_READ(mnt, mnt_mountpoint);
      mnt = mp;
      vm = &mp->mnt;
      continue;
    }
    struct qstr name;
    bpf_core_read(&name, sizeof(name), &d->d_name);
    __u32 len = name.len;
    if (len > JT_NAME_MAX)
      len = JT_NAME_MAX;
    if (pos < len + 1) {
      break;
    }
    pos -= len;
    bpf_probe_read_kernel(buf + (pos & (JT_PATH_MAX - 1)), len & JT_NAME_MAX, name.name);
    pos -= 1;
    buf[pos & (JT_PATH_MAX - 1)] = '/';
    d = parent;
  }
  if (!done)
    *truncated = 1;
  if (pos == JT_PATH_MAX - 1) { /* the root itself */
    pos -= 1;
    buf[pos & (JT_PATH_MAX - 1)] = '/';
  }
  return pos & (JT_PATH_MAX - 1);
}

#endif
