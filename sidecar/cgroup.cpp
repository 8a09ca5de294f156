#include "sidecar/cgroup.hpp"

#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>

#include <fstream>
#include <stdexcept>
#include <system_error>

#include <spdlog/spdlog.h>

#include "sidecar/proc_cgroup.hpp"

namespace fs = std::filesystem;

namespace jobtrail::sidecar {

namespace {
bool is_cgroup2(const fs::path& p) {
  struct statfs st {};
  return statfs(p.c_str(), &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC;
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), {}};
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
  const auto path = cgroup_v2_path(read_text("/proc/self/cgroup"));
  if (!path) throw std::runtime_error("no cgroup v2 entry (0::) in /proc/self/cgroup");
  return root / fs::path(*path).relative_path();
}

PodCgroups discover_pod_cgroup(const fs::path& host_root) {
  const auto path = cgroup_v2_path(read_text("/proc/self/cgroup"));
  if (!path) throw std::runtime_error("no cgroup v2 entry (0::) in /proc/self/cgroup");
  const fs::path rel = fs::path(*path).relative_path();
  // Without a cgroup namespace the path is the host path: our container's cgroup, directly.
  if (!rel.empty() && fs::is_directory(host_root / rel)) return {(host_root / rel).parent_path(), host_root / rel};
  // In a cgroup namespace the path is relative to the namespace's root, which is what a cgroup2
  // mount made inside it shows (/sys/fs/cgroup in a container): our own cgroup's id comes from
  // there, and the host mount is searched for the directory with that id (the cgroup id is the
  // kernfs inode number, the same through every mount).
  const std::uint64_t host_root_id = cgroup_id_of(host_root);
  std::uint64_t want = 0;
  for (const char* c : {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"}) {
    if (!is_cgroup2(c) || cgroup_id_of(c) == host_root_id) continue;  // the host's own mount
    std::error_code ec;
    if (fs::is_directory(fs::path(c) / rel, ec)) want = cgroup_id_of(fs::path(c) / rel);
    break;
  }
  if (want == 0)
    throw std::runtime_error("own container cgroup not found: /proc/self/cgroup says " + *path + ", no such directory under " +
                             host_root.string() + " and no namespaced cgroup2 mount at /sys/fs/cgroup: pass --cgroup");
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
