#pragma once
// Runs tests/storage/fault_proxy.py as a child for the length of a test; killed by pid on scope exit.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace rgw {

class FaultProxy {
 public:
  explicit FaultProxy(std::vector<std::string> args) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    std::string script = std::string(JOBTRAIL_SOURCE_DIR) + "/tests/storage/fault_proxy.py";
    args.insert(args.begin(), {"python3", script});
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      ::dup2(fds[1], 1);
      ::close(fds[0]);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execvp("python3", argv.data());
      ::_exit(127);
    }
    ::close(fds[1]);
    std::string line;
    char c;
    while (::read(fds[0], &c, 1) == 1 && c != '\n') line += c;
    ::close(fds[0]);
    REQUIRE_MESSAGE(!line.empty(), "fault_proxy.py did not start");
    port_ = line;
  }
  ~FaultProxy() {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
  }
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;
  const std::string& port() const { return port_; }

 private:
  pid_t pid_ = -1;
  std::string port_;
};

}  // namespace rgw
