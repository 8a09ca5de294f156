/* Net and DNS family records (net.bpf.c -> sidecar/net_tracer.cpp). Plain C, fixed-width types.
 * Addresses are 16 bytes: IPv4 in the first 4 (network order), IPv6 in all 16. Ports host order. */
#ifndef JOBTRAIL_EVENTS_NET_H
#define JOBTRAIL_EVENTS_NET_H

#include "common.h"

enum jt_net_event_type {
  JT_EV_NET_CONNECT = 200, /* connect() returned (tracepoint, process context) */
  JT_EV_NET_ACCEPT = 201,  /* accept()/accept4() returned a socket */
  JT_EV_NET_CLOSE = 202,   /* TCP connection reached TCP_CLOSE (sock_ops) */
  JT_EV_NET_UDP = 203,     /* one UDP flow ended (socket closed or destination changed) */
  JT_EV_DNS_PACKET = 300,  /* a port-53 payload; user space decodes query or answer */
};

#define JT_AF_INET 2
#define JT_AF_INET6 10
#define JT_PROTO_TCP 6
#define JT_PROTO_UDP 17

struct jt_flow {
  __u8 src[16];
  __u8 dst[16];
  __u16 src_port, dst_port;
  __u16 family;   /* JT_AF_INET / JT_AF_INET6 */
  __u8 protocol;  /* JT_PROTO_TCP / JT_PROTO_UDP */
  __u8 pad;
};

/* JT_EV_NET_CONNECT and JT_EV_NET_ACCEPT (accept: src = local side, dst = peer) */
struct net_conn_event {
  struct event_header hdr;
  struct jt_flow flow;
  __s32 result; /* syscall return: 0 / fd, or -errno */
  __u32 pad;
};

enum jt_close_flags { JT_CLOSE_INCOMING = 1 << 0 };

/* JT_EV_NET_CLOSE: hdr.pid/tid/exec_id are the socket owner's (softirq context) */
struct net_close_event {
  struct event_header hdr;
  struct jt_flow flow;
  __u64 bytes_sent;     /* tcp bytes_acked */
  __u64 bytes_received; /* tcp bytes_received */
  __u64 duration_ns;    /* established -> close */
  __u32 flags;          /* enum jt_close_flags */
  __u32 pad;
};

/* JT_EV_NET_UDP */
struct net_udp_event {
  struct event_header hdr;
  struct jt_flow flow;
  __u64 datagrams;
  __u64 bytes; /* UDP payload bytes */
};

#define JT_DNS_CAPTURE 1024

enum jt_dns_flags { JT_DNS_INGRESS = 1 << 0 };

/* JT_EV_DNS_PACKET: flow as on the wire (egress: src = pod; ingress: src = server) */
struct dns_packet_event {
  struct event_header hdr;
  struct jt_flow flow;
  __u32 packet_len;   /* transport payload length */
  __u32 captured_len; /* bytes in data[] (<= JT_DNS_CAPTURE) */
  __u32 flags;        /* enum jt_dns_flags */
  __u32 pad;
  __u8 data[JT_DNS_CAPTURE];
};

#endif
