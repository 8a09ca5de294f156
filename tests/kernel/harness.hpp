#pragma once
// Kernel tests drive the real jobtrail-sidecar binary: sibling cgroups stand in for pods,
// workloads are forked straight into them (exact argv, no shell quoting in the way), and the
// archive the sidecar writes is read back with the project's own reader.
#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace jt_test {

namespace fs = std::filesystem;

// The cgroup2 mount this machine uses (/sys/fs/cgroup/unified here, /sys/fs/cgroup on most).
fs::path cgroup2_root();

// A fresh cgroup under the cgroup2 root; its processes are killed and it is removed at the end.
class TestCgroup {
 public:
  explicit TestCgroup(const std::string& name);
  ~TestCgroup();
  TestCgroup(const TestCgroup&) = delete;
  TestCgroup& operator=(const TestCgroup&) = delete;
  const fs::path& path() const { return dir_; }

 private:
  fs::path dir_;
};

struct SpawnOptions {
  fs::path cwd;                        // "" = inherit
  std::vector<std::string> env;        // "" = inherit; else exactly these
  bool quiet = true;                   // stdout/stderr to /dev/null
};

// fork, join `cg`, chdir, execve(path, argv): the exec happens inside the cgroup.
pid_t spawn_in(const fs::path& cg, const std::string& path, const std::vector<std::string>& argv,
               const SpawnOptions& opts = {});
int wait_status(pid_t pid);  // raw wait status
// The exit code of a process that exited, or -1 for one a signal ended (WEXITSTATUS alone reads
// 0 for a process killed by SIGKILL, so a crashed sidecar would pass as a clean exit).
int exit_code(int wait_status);

// The real sidecar in `run` mode on one cgroup, archiving into a local folder.
class Sidecar {
 public:
  Sidecar(const fs::path& cgroup, const fs::path& storage, std::vector<std::string> extra = {});
  ~Sidecar();
  // Sends SIGTERM and waits; returns the exit status and how long the exit took.
  int stop(std::chrono::milliseconds* took = nullptr);
  // Waits for the sidecar to exit by itself (e.g. --exit-when-idle); -1 on timeout.
  int wait_exit(std::chrono::seconds timeout);
  pid_t pid() const { return pid_; }
  const fs::path& stdout_file() const { return out_; }
  const fs::path& stderr_file() const { return err_; }

 private:
  pid_t pid_ = -1;
  fs::path out_, err_;
};

fs::path sidecar_binary();
fs::path scratch_dir(const std::string& name);  // fresh folder under the build tree

// The one archive folder under `storage` (pods/<ns>/<pod>/<uid>/), or `storage` itself.
fs::path archive_dir(const fs::path& storage);
std::vector<nlohmann::json> read_events(const fs::path& archive);
nlohmann::json read_manifest(const fs::path& archive);

// Events of one type whose process.args equal `args` exactly.
std::vector<nlohmann::json> find_exec(const std::vector<nlohmann::json>& events, const std::vector<std::string>& args);
const nlohmann::json* exit_of(const std::vector<nlohmann::json>& events, std::uint64_t exec_id, unsigned pid);

}  // namespace jt_test
