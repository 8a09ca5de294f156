#pragma once
// Finding and making cgroups (cgroup v2 only) and the tracefs mount. Each function throws
// std::runtime_error with one clear line; the caller reports it and exits (start-up only).
#include <cstdint>
#include <filesystem>
#include <string>

namespace jobtrail::sidecar {

// The cgroup2 mount to use: `preferred` if given, else the first cgroup2 mount of
// /host/sys/fs/cgroup, /sys/fs/cgroup/unified, /sys/fs/cgroup.
std::filesystem::path find_cgroup2_root(const std::string& preferred);

// cgroup id of a cgroup directory (on cgroup2 the directory's inode number).
std::uint64_t cgroup_id_of(const std::filesystem::path& dir);

struct PodCgroups {
  std::filesystem::path pod;        // parent of our own container's cgroup: traced
  std::filesystem::path container;  // our own container's cgroup: excluded
};

// Finds our own container's cgroup on the host mount by matching cgroup ids (works with the
// cgroupfs and systemd drivers, with and without a cgroup namespace); the pod is its parent.
PodCgroups discover_pod_cgroup(const std::filesystem::path& host_root);

// The cgroup this process is in, as a directory under `root` (no cgroup namespace case).
std::filesystem::path own_cgroup_dir(const std::filesystem::path& root);

// mkdir of a fresh child cgroup; throws if it exists.
std::filesystem::path make_cgroup(const std::filesystem::path& parent, const std::string& name);

// True while any process lives in `dir`'s subtree, skipping the `except` subtree.
bool cgroup_populated(const std::filesystem::path& dir, const std::filesystem::path& except = {});

// Mounts tracefs at /sys/kernel/tracing if nothing is there; false if it could not.
bool ensure_tracefs();

}  // namespace jobtrail::sidecar
