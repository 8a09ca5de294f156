/* Allow-listed environment variables, read in the kernel. Only entries whose NAME is in
 * the list below ever leave the kernel: the rest of the environment (tokens, secrets) is
 * read one variable at a time into per-CPU scratch, compared, and dropped.
 *   job identity: GITHUB_REPOSITORY GITHUB_RUN_ID GITHUB_RUN_ATTEMPT GITHUB_JOB
 *     GITHUB_WORKFLOW GITHUB_WORKFLOW_REF GITHUB_SHA GITHUB_REF RUNNER_NAME
 *   TLS verification switched off: GIT_SSL_NO_VERIFY NODE_TLS_REJECT_UNAUTHORIZED
 *     PYTHONHTTPSVERIFY */
#ifndef JOBTRAIL_ENV_BPF_H
#define JOBTRAIL_ENV_BPF_H

#define JT_ENV_VARS_MAX 1024 /* variables looked at per exec */

/* Loop-carried state lives in map memory (the caller's per-CPU scratch), not on the stack:
 * values loaded from a map are unknown scalars to the verifier, so the bpf_loop callback's
 * states converge after one iteration instead of being explored once per distinct out_len. */
struct jt_env_state {
  unsigned long ptr, end; /* user addresses of the env block */
  __u32 out_len;
  __u32 flags;
  __u32 skipping; /* inside an over-long variable: skip to its end */
  __u32 pad;
  char tmp[JT_ENV_VALUE_MAX];
  char out[JT_ENV_MAX + 2 * JT_ENV_VALUE_MAX];
};

/* bpf_loop's context must be on the stack: it only carries the pointer. */
struct jt_env_scan {
  struct jt_env_state *st;
};

static __always_inline int jt_prefix(const char *buf, const char *p, int n)
{
  for (int i = 0; i < n; i++)
    if (buf[i] != p[i])
      return 0;
  return 1;
}
#define JT_IS(lit) jt_prefix(t, lit, sizeof(lit) - 1)

static __always_inline int jt_env_allowed(const char *t)
{
  switch (t[0]) {
  case 'G':
    if (t[1] != 'I' || t[2] != 'T')
      return 0;
    return JT_IS("GITHUB_REPOSITORY=") || JT_IS("GITHUB_RUN_ID=") || JT_IS("GITHUB_RUN_ATTEMPT=") ||
           JT_IS("GITHUB_JOB=") || JT_IS("GITHUB_WORKFLOW=") || JT_IS("GITHUB_WORKFLOW_REF=") ||
           JT_IS("GITHUB_SHA=") || JT_IS("GITHUB_REF=") || JT_IS("GIT_SSL_NO_VERIFY=");
  case 'R':
    return JT_IS("RUNNER_NAME=");
  case 'N':
    return JT_IS("NODE_TLS_REJECT_UNAUTHORIZED=");
  case 'P':
    return JT_IS("PYTHONHTTPSVERIFY=");
  }
  return 0;
}

static long jt_env_step(__u32 index, void *ctx)
{
  struct jt_env_state *c = ((struct jt_env_scan *)ctx)->st;
  if (!c || c->ptr >= c->end)
    return 1;
  long n = bpf_probe_read_user_str(c->tmp, JT_ENV_VALUE_MAX, (const void *)c->ptr);
  if (n <= 0)
    return 1;
  int whole = n < JT_ENV_VALUE_MAX; /* found the NUL */
  if (!c->skipping && jt_env_allowed(c->tmp)) {
    if (!whole)
      c->flags |= JT_EXEC_ENV_TRUNCATED;
    __u32 len = c->out_len;
    if (len + n <= JT_ENV_MAX) {
      bpf_probe_read_kernel(c->out + (len & (JT_ENV_MAX - 1)), n & (2 * JT_ENV_VALUE_MAX - 1), c->tmp);
      c->out_len = len + n;
    } else {
      c->flags |= JT_EXEC_ENV_TRUNCATED;
    }
  }
  if (whole) {
    c->ptr += n;
    c->skipping = 0;
  } else {
    c->ptr += n - 1; /* continue from the byte the terminator replaced */
    c->skipping = 1;
  }
  return 0;
}

#endif
