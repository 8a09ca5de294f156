/* Absolute path of a struct path, walking dentries up to the task's root and crossing
 * mount points (bpf_d_path is not available to raw tracepoints). Written backwards into
 * map scratch memory.
 *
 * The walk is a bpf_loop callback whose loop-carried state (dentry, mount, write position)
 * lives in the map value, not on the stack: the verifier then sees unknown scalars in each
 * iteration and verifies the body once, instead of exploring every depth x branch
 * combination (an unrolled 8-level walk alone exceeded the 1M-instruction limit). */
#ifndef JOBTRAIL_PATH_BPF_H
#define JOBTRAIL_PATH_BPF_H

#define JT_PATH_STEPS 256 /* dentries + mount crossings; deeper paths are flagged truncated */
#define JT_NAME_MAX 255

struct jt_path_state {
  __u64 dentry, vfsmount, mount; /* where the walk is: kernel addresses, read with CO-RE */
  __u64 root_dentry, root_vfsmount;
  __u32 pos;  /* start of the text written so far in buf */
  __u32 done; /* reached the root (or the top of the mount tree) */
  char buf[JT_PATH_MAX + JT_NAME_MAX + 1];
};

struct jt_path_ctx {
  struct jt_path_state *st;
};

static long jt_path_step(__u32 index, void *ctx)
{
  struct jt_path_state *st = ((struct jt_path_ctx *)ctx)->st;
  if (!st)
    return 1;
  struct dentry *d = (struct dentry *)st->dentry;
  struct vfsmount *vm = (struct vfsmount *)st->vfsmount;
  struct mount *mnt = (struct mount *)st->mount;
  if (st->dentry == st->root_dentry && st->vfsmount == st->root_vfsmount) {
    st->done = 1;
    return 1;
  }
  struct dentry *mnt_root = BPF_CORE_READ(vm, mnt_root);
  struct dentry *parent = BPF_CORE_READ(d, d_parent);
  if (d == mnt_root || d == parent) {
    struct mount *mp = BPF_CORE_READ(mnt, mnt_parent);
    if (mp == mnt || !mp) { /* top of the mount tree */
      st->done = 1;
      return 1;
    }
    st->dentry = (__u64)BPF_CORE_READ(mnt, mnt_mountpoint);
    st->mount = (__u64)mp;
    st->vfsmount = (__u64)&mp->mnt;
    return 0;
  }
  struct qstr name;
  bpf_core_read(&name, sizeof(name), &d->d_name);
  __u32 len = name.len;
  if (len > JT_NAME_MAX)
    len = JT_NAME_MAX;
  __u32 pos = st->pos;
  if (pos > JT_PATH_MAX - 1 || pos < len + 1)
    return 1; /* does not fit: not done, so flagged truncated */
  pos -= len;
  bpf_probe_read_kernel(st->buf + (pos & (JT_PATH_MAX - 1)), len & JT_NAME_MAX, name.name);
  pos -= 1;
  st->buf[pos & (JT_PATH_MAX - 1)] = '/';
  st->pos = pos;
  st->dentry = (__u64)parent;
  return 0;
}

/* The walk in three parts, so that a kernel without bpf_loop (before 5.17) can drive the same
 * steps from a bounded loop (process.bpf.c): start, jt_path_step until it returns 1, result. */
static __always_inline void jt_path_walk_start(struct path *p, struct path *root, struct jt_path_state *st)
{
  struct vfsmount *vm = BPF_CORE_READ(p, mnt);
  st->dentry = (__u64)BPF_CORE_READ(p, dentry);
  st->vfsmount = (__u64)vm;
  st->mount = (__u64)container_of(vm, struct mount, mnt);
  st->root_dentry = (__u64)BPF_CORE_READ(root, dentry);
  st->root_vfsmount = (__u64)BPF_CORE_READ(root, mnt);
  st->pos = JT_PATH_MAX - 1;
  st->done = 0;
  st->buf[JT_PATH_MAX - 1] = 0;
}

/* The start offset of the NUL-terminated path; *truncated is set when the walk gave up. */
static __always_inline __u32 jt_path_walk_result(struct jt_path_state *st, int *truncated)
{
  if (!st->done)
    *truncated = 1;
  __u32 pos = st->pos;
  if (pos >= JT_PATH_MAX - 1) { /* the root itself */
    pos = JT_PATH_MAX - 2;
    st->buf[JT_PATH_MAX - 2] = '/';
  }
  return pos & (JT_PATH_MAX - 1);
}

/* Walks p up to root into st->buf; returns the start offset of the NUL-terminated path.
 * *truncated is set when the walk gave up (too deep or too long). */
static __always_inline __u32 jt_path_walk(struct path *p, struct path *root, struct jt_path_state *st,
                                          int *truncated)
{
  jt_path_walk_start(p, root, st);
  struct jt_path_ctx ctx = {.st = st};
  bpf_loop(JT_PATH_STEPS, jt_path_step, &ctx, 0);
  return jt_path_walk_result(st, truncated);
}

#endif
