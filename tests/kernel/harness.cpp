#include "harness.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "trail/archive/reader.hpp"

namespace jt_test {

namespace {
bool is_cgroup2(const fs::path& p) { return fs::exists(p / "cgroup.controllers"); }

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), {}};
}

// Readiness without an HTTP client: the sidecar logs this line once every program is attached.
bool log_says_tracing(const fs::path& err) { return read_file(err).find("tracing cgroup") != std::string::npos; }
}  // namespace

fs::path cgroup2_root() {
  for (const char* p : {"/sys/fs/cgroup/unified", "/sys/fs/cgroup"})
    if (is_cgroup2(p)) return p;
  throw std::runtime_error("no cgroup2 mount found");
}

TestCgroup::TestCgroup(const std::string& name) {
  dir_ = cgroup2_root() / ("jt-ktest-" + name + "-" + std::to_string(getpid()));
  std::error_code ec;
  fs::create_directory(dir_, ec);
  if (ec) throw std::runtime_error("cannot create cgroup " + dir_.string() + ": " + ec.message());
}

TestCgroup::~TestCgroup() {
  std::ofstream(dir_ / "cgroup.kill") << "1";
  for (int i = 0; i < 100; ++i) {
    if (::rmdir(dir_.c_str()) == 0 || errno == ENOENT) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

pid_t spawn_in(const fs::path& cg, const std::string& path, const std::vector<std::string>& argv,
               const SpawnOptions& opts) {
  std::vector<char*> av;
  for (auto& a : argv) av.push_back(const_cast<char*>(a.c_str()));
  av.push_back(nullptr);
  std::vector<char*> ev;
  for (auto& e : opts.env) ev.push_back(const_cast<char*>(e.c_str()));
  ev.push_back(nullptr);
  const std::string procs = (cg / "cgroup.procs").string();
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    int fd = ::open(procs.c_str(), O_WRONLY);
    std::string me = std::to_string(getpid());
    if (fd < 0 || ::write(fd, me.data(), me.size()) < 0) _exit(120);
    ::close(fd);
    if (opts.quiet) {
      int null = ::open("/dev/null", O_RDWR);
      dup2(null, 1);
      dup2(null, 2);
    }
    if (!opts.cwd.empty() && chdir(opts.cwd.c_str()) != 0) _exit(121);
    if (opts.env.empty()) execv(path.c_str(), av.data());
    else execve(path.c_str(), av.data(), ev.data());
    _exit(122);
  }
  return pid;
}

int exit_code(int st) { return WIFEXITED(st) ? WEXITSTATUS(st) : -1; }

int wait_status(pid_t pid) {
  int st = 0;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  return st;
}

fs::path sidecar_binary() { return fs::path(JOBTRAIL_BINARY_DIR) / "sidecar" / "jobtrail-sidecar"; }

fs::path scratch_dir(const std::string& name) {
  auto d = fs::path(JOBTRAIL_BINARY_DIR) / "tests" / "kernel-scratch" / (name + "-" + std::to_string(getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

Sidecar::Sidecar(const fs::path& cgroup, const fs::path& storage, std::vector<std::string> extra) {
  out_ = storage.string() + ".stdout";
  err_ = storage.string() + ".stderr";
  std::vector<std::string> args = {sidecar_binary().string(), "run", "--cgroup", cgroup.string(),
                                   "--storage", storage.string(), "--spool", storage.string() + ".spool",
                                   "--http-listen", ""};
  // JSON lines on stdout unless the test asks for another live stream.
  if (std::find(extra.begin(), extra.end(), "--output") == extra.end()) args.insert(args.end(), {"--output", "json"});
  args.insert(args.end(), extra.begin(), extra.end());
  std::vector<char*> av;
  for (auto& a : args) av.push_back(a.data());
  av.push_back(nullptr);
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    int o = ::open(out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int e = ::open(err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(o, 1);
    dup2(e, 2);
    execv(av[0], av.data());
    _exit(127);
  }
  for (int i = 0; i < 600; ++i) {  // up to 60 s: loading under ASan on a busy CI machine is slow
    if (log_says_tracing(err_)) return;
    int st = 0;
    if (waitpid(pid_, &st, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("sidecar exited at start-up: " + read_file(err_));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  throw std::runtime_error("sidecar not ready after 60 s: " + read_file(err_));
}

Sidecar::~Sidecar() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    wait_status(pid_);
  }
}

int Sidecar::stop(std::chrono::milliseconds* took) {
  auto t0 = std::chrono::steady_clock::now();
  kill(pid_, SIGTERM);
  int st = wait_status(pid_);
  pid_ = -1;
  if (took) *took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  return st;
}

int Sidecar::wait_exit(std::chrono::seconds timeout) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    int st = 0;
    if (waitpid(pid_, &st, WNOHANG) == pid_) {
      pid_ = -1;
      return st;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return -1;
}

fs::path archive_dir(const fs::path& storage) {
  for (auto& e : fs::recursive_directory_iterator(storage))
    if (e.path().filename() == "_manifest.json") return e.path().parent_path();
  throw std::runtime_error("no _manifest.json under " + storage.string());
}

std::vector<nlohmann::json> read_events(const fs::path& archive) {
  jobtrail::archive::Reader reader(jobtrail::archive::open_archive(archive.string()));
  std::vector<nlohmann::json> events;
  reader.for_each_event([&](const nlohmann::json& e) {
    events.push_back(e);
    return true;
  });
  if (!reader.problems().empty()) throw std::runtime_error("archive problems: " + reader.problems().front());
  return events;
}

nlohmann::json read_manifest(const fs::path& archive) { return nlohmann::json::parse(read_file(archive / "_manifest.json")); }

std::vector<nlohmann::json> find_exec(const std::vector<nlohmann::json>& events, const std::vector<std::string>& args) {
  std::vector<nlohmann::json> out;
  for (auto& e : events)
    if (e.value("type", "") == "process_exec" && e["process"]["args"] == nlohmann::json(args)) out.push_back(e);
  return out;
}

const nlohmann::json* exit_of(const std::vector<nlohmann::json>& events, std::uint64_t exec_id, unsigned pid) {
  for (auto& e : events)
    if (e.value("type", "") == "process_exit" && e["process"].value("exec_id", std::uint64_t{0}) == exec_id &&
        e["process"].value("pid", 0u) == pid)
      return &e;
  return nullptr;
}

}  // namespace jt_test
