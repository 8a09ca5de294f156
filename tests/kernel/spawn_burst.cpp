// spawn_burst N PROGRAM [ARGS...]: runs PROGRAM N times, one after the other (posix_spawn +
// wait), each with a last argument "#i" so the trail's order can be checked. Exits 1 if any failed.
#include <spawn.h>
#include <sys/wait.h>

#include <cstdlib>
#include <string>
#include <vector>

extern char** environ;

int main(int argc, char** argv) {
  if (argc < 3) return 2;
  const long n = std::strtol(argv[1], nullptr, 10);
  int failed = 0;
  for (long i = 0; i < n; ++i) {
    std::string tag = "#" + std::to_string(i);
    std::vector<char*> av(argv + 2, argv + argc);
    av.push_back(tag.data());
    av.push_back(nullptr);
    pid_t pid;
    if (posix_spawn(&pid, argv[2], nullptr, nullptr, av.data(), environ) != 0) return 1;
    int st = 0;
    waitpid(pid, &st, 0);
    failed |= !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  }
  return failed;
}
