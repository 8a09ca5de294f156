#pragma once
// Which container of the pod a cgroup id belongs to. A pod's containers are child cgroups of
// the pod cgroup (cri-containerd-<id>.scope with the systemd driver, <id> with cgroupfs); the
// trail names them by that directory, relative to the pod ("" = the pod cgroup itself), and
// the container id inside it, which `kubectl get pod -o yaml` shows as containerID.
#include <cstdint>
#include <filesystem>
#include <string>
#include <unordered_map>

namespace jobtrail::sidecar {

class ContainerNames {
 public:
  explicit ContainerNames(std::filesystem::path pod_cgroup) : pod_(std::move(pod_cgroup)) {}
  // The cgroup directory relative to the pod ("" = the pod itself, "?" = already gone); on a
  // cache miss the pod's subtree is scanned again (containers start during the job).
  const std::string& cgroup_of(std::uint64_t cgroup_id);

 private:
  void rescan();
  std::filesystem::path pod_;
  std::unordered_map<std::uint64_t, std::string> names_;
};

// The container id in a cgroup directory name: the 64-hex run in "cri-containerd-<id>.scope",
// "docker-<id>.scope", "crio-<id>.scope" or "<id>"; "" when there is none. Pure.
std::string container_id_of(const std::string& cgroup_dir_name);

}  // namespace jobtrail::sidecar
