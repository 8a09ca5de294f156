// Calls execve from a second thread (not the main one): the kernel makes the exec'ing thread
// the new leader, and the trail must still show one exec of the same process (tgid).
#include <unistd.h>

#include <thread>

int main() {
  std::thread t([] {
    char* argv[] = {const_cast<char*>("/bin/true"), const_cast<char*>("exec-from-thread"), nullptr};
    execv("/bin/true", argv);
    _exit(99);
  });
  t.join();
  return 98;
}
