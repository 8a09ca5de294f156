/* Loopback peers for the kernel-matrix guest, linked statically so the initramfs needs no
 * interpreter: busybox has a TCP client/server (nc) but no DNS server.
 *   netcheck dns-server PORT       answers every A question with 127.0.0.1, forever
 *   netcheck dns-query PORT NAME   asks 127.0.0.1:PORT for NAME, exits 0 on one answer
 *   netcheck tcp-server PORT       per connection: reads to EOF, replies "pong\n", forever
 *   netcheck tcp-client PORT TEXT  sends TEXT, reads the reply to EOF, exits 0 on "pong\n"
 *                                  (closing after the peer's FIN: an orderly close, whose byte
 *                                  counts are exact) */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static struct sockaddr_in loopback(const char *port)
{
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(port))};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

static int dns_server(const char *port)
{
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in a = loopback(port);
  if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)))
    return perror("dns-server"), 1;
  for (;;) {
    unsigned char q[512];
    struct sockaddr_in peer;
    socklen_t plen = sizeof(peer);
    ssize_t n = recvfrom(s, q, sizeof(q) - 16, 0, (struct sockaddr *)&peer, &plen);
    if (n < 12)
      continue;
    /* header: response, recursion available, one answer pointing at the question name */
    q[2] = 0x81;
    q[3] = 0x80;
    q[6] = 0;
    q[7] = 1;
    static const unsigned char answer[] = {0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1};
    memcpy(q + n, answer, sizeof(answer));
    sendto(s, q, (size_t)n + sizeof(answer), 0, (struct sockaddr *)&peer, plen);
  }
}

static int dns_query(const char *port, const char *name)
{
  unsigned char q[300] = {0x4a, 0x54, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0};
  size_t n = 12;
  for (const char *label = name; *label && n < 250;) {
    const char *dot = strchr(label, '.');
    size_t len = dot ? (size_t)(dot - label) : strlen(label);
    if (len > 63 || n + len + 1 > 250)
      return fprintf(stderr, "dns-query: name too long\n"), 1;
    q[n++] = (unsigned char)len;
    memcpy(q + n, label, len);
    n += len;
    label += len + (dot ? 1 : 0);
  }
  q[n++] = 0;
  q[n++] = 0, q[n++] = 1; /* A */
  q[n++] = 0, q[n++] = 1; /* IN */
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in a = loopback(port);
  struct timeval tv = {.tv_sec = 5};
  setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a)) || send(s, q, n, 0) != (ssize_t)n)
    return perror("dns-query"), 1;
  unsigned char r[512];
  ssize_t got = recv(s, r, sizeof(r), 0);
  if (got < 12 || r[7] != 1)
    return fprintf(stderr, "dns-query: no answer\n"), 1;
  printf("answer 127.0.0.1\n");
  return 0;
}

static int tcp_server(const char *port)
{
  int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  struct sockaddr_in a = loopback(port);
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 8))
    return perror("tcp-server"), 1;
  for (;;) {
    int c = accept(s, 0, 0);
    if (c < 0)
      continue;
    char buf[4096];
    while (read(c, buf, sizeof(buf)) > 0) {
    }
    (void)!write(c, "pong\n", 5);
    close(c);
  }
}

static int tcp_client(const char *port, const char *text)
{
  int s = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = loopback(port);
  if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a)))
    return perror("tcp-client"), 1;
  size_t len = strlen(text);
  if (write(s, text, len) != (ssize_t)len)
    return perror("tcp-client write"), 1;
  shutdown(s, SHUT_WR);
  char buf[16] = {0};
  size_t got = 0;
  for (ssize_t n; got < sizeof(buf) - 1 && (n = read(s, buf + got, sizeof(buf) - 1 - got)) > 0;)
    got += (size_t)n;
  close(s);
  return got == 5 && !strcmp(buf, "pong\n") ? 0 : 1;
}

int main(int argc, char **argv)
{
  if (argc == 3 && !strcmp(argv[1], "dns-server"))
    return dns_server(argv[2]);
  if (argc == 4 && !strcmp(argv[1], "dns-query"))
    return dns_query(argv[2], argv[3]);
  if (argc == 3 && !strcmp(argv[1], "tcp-server"))
    return tcp_server(argv[2]);
  if (argc == 4 && !strcmp(argv[1], "tcp-client"))
    return tcp_client(argv[2], argv[3]);
  fprintf(stderr, "usage: netcheck dns-server PORT | dns-query PORT NAME | tcp-server PORT | tcp-client PORT TEXT\n");
  return 2;
}
