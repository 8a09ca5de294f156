#pragma once
// Runs a Python test server from tests/storage/ (fault_proxy.py, fake_sts.py) as a child for the
// length of a test; it prints its port first; killed by pid on scope exit.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace rgw {

class PythonServer {
 public:
  PythonServer(const std::string& script_name, std::vector<std::string> args) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    std::string script = std::string(JOBTRAIL_SOURCE_DIR) + "/tests/storage/" + script_name;
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
    REQUIRE_MESSAGE(!line.empty(), script_name << " did not start");
    port_ = line;
  }
  ~PythonServer() {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
  }
  PythonServer(const PythonServer&) = delete;
  PythonServer& operator=(const PythonServer&) = delete;
  const std::string& port() const { return port_; }

 private:
  pid_t pid_ = -1;
  std::string port_;
};

class FaultProxy : public PythonServer {
 public:
  explicit FaultProxy(std::vector<std::string> args) : PythonServer("fault_proxy.py", std::move(args)) {}
};

}  // namespace rgw
