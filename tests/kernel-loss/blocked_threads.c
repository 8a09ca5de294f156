/* N threads each blocked in one syscall, so each holds an entry of a per-thread argument map of
 * the tracer (file_args, accepting), then all woken at once and joined. Python threads took
 * minutes for this (every wake-up fights for the GIL); these take a second.
 * usage: blocked_threads accept|fifo N */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static int listen_fd = -1;
static char fifo[64];
static sem_t started;

static void *block_in_accept(void *arg)
{
  (void)arg;
  sem_post(&started);
  int fd = accept(listen_fd, NULL, NULL); /* woken by shutdown(): EINVAL */
  if (fd >= 0)
    close(fd);
  return NULL;
}

static void *block_in_fifo_open(void *arg)
{
  (void)arg;
  sem_post(&started);
  int fd = open(fifo, O_RDONLY); /* woken by the one writer */
  if (fd >= 0)
    close(fd);
  return NULL;
}

int main(int argc, char **argv)
{
  if (argc != 3)
    return 2;
  const int accept_mode = strcmp(argv[1], "accept") == 0;
  const int n = atoi(argv[2]);
  if (n <= 0)
    return 2;
  if (accept_mode) {
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&a, sizeof a) || listen(listen_fd, 16))
      return perror("listen"), 1;
  } else {
    snprintf(fifo, sizeof fifo, "/tmp/jt-blocked-fifo-%d", getpid());
    if (mkfifo(fifo, 0600))
      return perror("mkfifo"), 1;
  }
  sem_init(&started, 0, 0);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 16384);
  pthread_t *t = calloc((size_t)n, sizeof *t);
  for (int i = 0; i < n; i++)
    if (pthread_create(&t[i], &attr, accept_mode ? block_in_accept : block_in_fifo_open, NULL))
      return perror("pthread_create"), 1;
  for (int i = 0; i < n; i++)
    sem_wait(&started);
  sleep(2); /* from sem_post() into the syscall */
  if (accept_mode) {
    shutdown(listen_fd, SHUT_RDWR);
  } else {
    int w = open(fifo, O_WRONLY); /* one more open while the map is full */
    if (w >= 0)
      close(w);
  }
  for (int i = 0; i < n; i++)
    pthread_join(t[i], NULL);
  if (!accept_mode)
    unlink(fifo);
  return 0;
}
