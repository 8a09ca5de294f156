/* A job that reaches for the sidecar (kernel test sidecar_guard_test.cpp).
 *   jt_poke_sidecar near      signals its OWN child, reads its memory and opens its /proc environ
 *   jt_poke_sidecar poke PID  SIGCONT, SIGTERM and SIGUSR1 to PID, PTRACE_ATTACH/DETACH of PID,
 *                             process_vm_readv of one of PID's other threads (by its tid), and
 *                             opens of /proc/PID/environ and /proc/PID/task/TID/mem
 *   jt_poke_sidecar hidden PID  opens of PID's environ and mem by "/proc//PID/./environ" and a dirfd
 * Exit 0 when every call returned what the test expects, else the number of the step that did not. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

static ssize_t read_some(pid_t pid)
{
  char buf[8];
  struct iovec local = {buf, sizeof buf}, remote = {(void *)0x1000, sizeof buf}; /* unmapped: EFAULT */
  return process_vm_readv(pid, &local, 1, &remote, 1, 0);
}

/* A thread of `pid` other than its leader, or the leader if it has none. */
static pid_t other_thread(pid_t pid)
{
  char dir[64];
  snprintf(dir, sizeof dir, "/proc/%d/task", pid);
  DIR *d = opendir(dir);
  pid_t found = pid;
  for (struct dirent *e; d && (e = readdir(d));) {
    pid_t tid = atoi(e->d_name);
    if (tid > 0 && tid != pid)
      found = tid;
  }
  if (d)
    closedir(d);
  return found;
}

static int open_proc(pid_t pid, pid_t tid, const char *file)
{
  char path[64];
  if (tid)
    snprintf(path, sizeof path, "/proc/%d/task/%d/%s", pid, tid, file);
  else
    snprintf(path, sizeof path, "/proc/%d/%s", pid, file);
  int fd = open(path, O_RDONLY);
  if (fd < 0)
    return -1;
  close(fd);
  return 0;
}

static int near_miss(void)
{
  pid_t child = fork();
  if (child == 0) {
    pause();
    _exit(0);
  }
  if (kill(child, SIGCONT) != 0)
    return 1;
  if (read_some(child) != -1 || errno != EFAULT)
    return 2;
  if (open_proc(child, 0, "environ") != 0)
    return 5;
  if (kill(child, SIGTERM) != 0)
    return 3;
  int st = 0;
  waitpid(child, &st, 0);
  return WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM ? 0 : 4;
}

static int poke(pid_t sidecar)
{
  if (kill(sidecar, SIGCONT) != 0)
    return 11;
  if (kill(sidecar, SIGTERM) != 0)
    return 12;
  if (kill(sidecar, SIGUSR1) != 0) /* ends a process that does not catch it */
    return 20;
  if (ptrace(PTRACE_ATTACH, sidecar, 0, 0) != 0)
    return 13;
  int st = 0;
  if (waitpid(sidecar, &st, __WALL) != sidecar || !WIFSTOPPED(st))
    return 14;
  if (ptrace(PTRACE_DETACH, sidecar, 0, 0) != 0) /* the SIGSTOP of the attach is not passed on */
    return 15;
  pid_t tid = other_thread(sidecar);
  if (tid == sidecar)
    return 16;
  if (read_some(tid) != -1 || errno != EFAULT)
    return 17;
  if (open_proc(sidecar, 0, "environ") != 0)
    return 18;
  if (open_proc(sidecar, tid, "mem") != 0)
    return 19;
  return 0;
}

/* The same opens spelled so that no path pattern shows them: "//" in the path, a dirfd. */
static int poke_hidden(pid_t sidecar)
{
  char path[64];
  snprintf(path, sizeof path, "/proc//%d/./environ", sidecar);
  int fd = open(path, O_RDONLY);
  if (fd < 0)
    return 21;
  close(fd);
  snprintf(path, sizeof path, "/proc/%d", sidecar);
  int dir = open(path, O_RDONLY | O_DIRECTORY);
  if (dir < 0)
    return 22;
  fd = openat(dir, "mem", O_RDONLY);
  close(dir);
  if (fd < 0)
    return 23;
  close(fd);
  return 0;
}

int main(int argc, char **argv)
{
  if (argc == 2 && strcmp(argv[1], "near") == 0)
    return near_miss();
  if (argc == 3 && strcmp(argv[1], "poke") == 0)
    return poke(atoi(argv[2]));
  if (argc == 3 && strcmp(argv[1], "hidden") == 0)
    return poke_hidden(atoi(argv[2]));
  return 100;
}
