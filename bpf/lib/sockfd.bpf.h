/* Socket facts read with CO-RE from a file descriptor of the current task (tracepoints
 * cannot use socket helpers): the struct sock behind an fd, and its addresses. */
#ifndef JOBTRAIL_SOCKFD_BPF_H
#define JOBTRAIL_SOCKFD_BPF_H

#include "fd.bpf.h"

#define JT_S_IFSOCK 0140000

/* The struct sock behind fd, or NULL if fd is not a socket. */
static __always_inline struct sock *jt_fd_sock(__u32 fd)
{
  struct file *f = jt_fd_file(fd);
  if (!f)
    return 0;
  __u16 mode = BPF_CORE_READ(f, f_inode, i_mode);
  if ((mode & S_IFMT) != JT_S_IFSOCK)
    return 0;
  struct socket *sock = BPF_CORE_READ(f, private_data);
  return BPF_CORE_READ(sock, sk);
}

/* Fills family, protocol, local (src) and remote (dst) from sk. Returns 0 if not inet tcp/udp. */
static __always_inline int jt_sock_flow(struct sock *sk, struct jt_flow *fl)
{
  __u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
  __u16 proto = BPF_CORE_READ(sk, sk_protocol);
  if ((family != JT_AF_INET && family != JT_AF_INET6) || (proto != JT_PROTO_TCP && proto != JT_PROTO_UDP))
    return 0;
  fl->family = family;
  fl->protocol = proto;
  fl->src_port = BPF_CORE_READ(sk, __sk_common.skc_num);
  fl->dst_port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
  if (family == JT_AF_INET) {
    __u32 s = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
    __u32 d = BPF_CORE_READ(sk, __sk_common.skc_daddr);
    __builtin_memcpy(fl->src, &s, 4);
    __builtin_memcpy(fl->dst, &d, 4);
  } else {
    BPF_CORE_READ_INTO(fl->src, sk, __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8);
    BPF_CORE_READ_INTO(fl->dst, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr8);
  }
  return 1;
}

#endif
