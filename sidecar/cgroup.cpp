#include "sidecar/cgroup.hpp"

#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>

#include <fstream>
#include <stdexcept>
#include <system_error>

#include <spdlog/spdlog.h>

namespace fs = std::filesystem;

namespace jobtrail::sidecar {

namespace {
bool is_cgroup2(const fs::path& p) {
  struct statfs st {};
  return statfs(p.c_str(), &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC;
}

std::string read_first_line(const fs::path& p) {
  std::ifstream in(p);
  std::string line;
  std::getline(in, line);
  return line;
}
}  // namespace

fs::path find_cgroup2_root(const std::string& preferred) {
  if (!preferred.empty()) {
    if (!is_cgroup2(preferred)) throw std::runtime_error(preferred + " is not a cgroup2 mount");
    return preferred;
  }
  for (const char* c : {"/host/sys/fs/cgroup", "/sys/fs/cgroup/unified", "/sys/fs/cgroup"})
    if (is_cgroup2(c)) return c;
  throw std::runtime_error("no cgroup2 mount found (tried /host/sys/fs/cgroup, /sys/fs/cgroup/unified, /sys/fs/cgroup)");
}

std::uint64_t cgroup_id_of(const fs::path& dir) {
  struct stat st {};
  if (stat(dir.c_str(), &st) != 0) throw std::runtime_error("cannot stat cgroup " + dir.string());
  return st.st_ino;
}

fs::path own_cgroup_dir(const fs::path& root) {
  // /proc/self/cgroup: "0::/path" (cgroup v2 line)
  std::ifstream in("/proc/self/cgroup");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("0::", 0) == 0) return root / fs::path(line.substr(3)).relative_path();
  throw std::runtime_error("no cgroup v2 entry in /proc/self/cgroup");
}

PodCgroups discover_pod_cgroup(const fs::path& host_root) {
  // Our own cgroup id: the root of our cgroup view. With a cgroup namespace /proc/self/cgroup
  // says "/" and our cgroupfs mount root IS our cgroup; without one the path is the host path.
  std::uint64_t own_id = 0;
  fs::path guess;
  try {
    guess = own_cgroup_dir(host_root);
    own_id = cgroup_id_of(guess);
  } catch (const std::exception&) {
  }
  std::uint64_t ns_root_id = 0;
  for (const char* c : {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"})
    if (is_cgroup2(c) && fs::path(c) != host_root) {
      // /proc/self/cgroup "0::/" in a namespace: the mount's root is our own cgroup
      if (read_first_line("/proc/self/cgroup") == "0::/") ns_root_id = cgroup_id_of(c);
      break;
    }
  std::uint64_t want = ns_root_id ? ns_root_id : own_id;
  if (!ns_root_id && !guess.empty() && fs::exists(guess) && guess != host_root)
    return {guess.parent_path(), guess};
  // Walk the host hierarchy for the matching id (bounded depth).
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(host_root, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it.depth() > 8) {
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_directory(ec)) continue;
    struct stat st {};
    if (stat(it->path().c_str(), &st) == 0 && st.st_ino == want && it->path() != host_root)
      return {it->path().parent_path(), it->path()};
  }
  throw std::runtime_error("own container cgroup (id " + std::to_string(want) + ") not found under " +
                           host_root.string() + ": mount the host cgroup2 fs there or pass --cgroup");
}

fs::path make_cgroup(const fs::path& parent, const std::string& name) {
  fs::path dir = parent / name;
  std::error_code ec;
  if (!fs::create_directory(dir, ec) || ec)
    throw std::runtime_error("cannot create cgroup " + dir.string() + ": " +
                             (ec ? ec.message() : std::string("exists")));
  return dir;
}

bool cgroup_populated(const fs::path& dir, const fs::path& except) {
  if (except.empty()) {
    std::ifstream in(dir / "cgroup.events");
    std::string k, v;
    while (in >> k >> v)
      if (k == "populated") return v == "1";
    return false;
  }
  std::error_code ec;
  std::ifstream procs(dir / "cgroup.procs");
  std::string pid;
  if (procs >> pid) return true;
  for (auto& child : fs::directory_iterator(dir, ec)) {
    if (!child.is_directory() || child.path() == except) continue;
    if (cgroup_populated(child.path(), {})) return true;
  }
  return false;
}

bool ensure_tracefs() {
  const char* dir = "/sys/kernel/tracing";
  struct statfs st {};
  if (statfs(dir, &st) == 0 && st.f_type == TRACEFS_MAGIC) return true;
  if (mount("tracefs", dir, "tracefs", 0, nullptr) == 0) {
    spdlog::info("mounted tracefs at {}", dir);
    return true;
  }
  return false;
}

}  // namespace jobtrail::sidecar
