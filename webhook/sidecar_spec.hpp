// The sidecar container and its volumes as Kubernetes JSON, from the config and facts about the pod.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "config.hpp"

namespace jobtrail::webhook {

inline constexpr const char* kSidecarName = "jobtrail-sidecar";
inline constexpr const char* kVolumeHostCgroup = "jobtrail-host-cgroup";
inline constexpr const char* kVolumeSpool = "jobtrail-spool";
inline constexpr const char* kVolumePodinfo = "jobtrail-podinfo";
inline constexpr const char* kVolumeCa = "jobtrail-ca";
inline constexpr const char* kVolumeToken = "jobtrail-token";
inline constexpr const char* kVolumeSigning = "jobtrail-signing";  // only in the sidecar container
inline constexpr const char* kSigningKeyDir = "/var/run/secrets/jobtrail/signing";

struct PodFacts {
  std::string privileged_containers;        // "a,b"
  std::string host_namespace_containers;    // "a:net+pid,b:net+pid"
  std::string runner_pod;                   // kubernetes-mode workflow pods only
  // shareProcessNamespace: true: the pod's containers see (and, as root, can signal or ptrace) the sidecar.
  bool share_process_namespace = false;
};

// skip: a container of the pod to leave out (our own sidecar when checking a pod already injected).
PodFacts pod_facts(const nlohmann::json& pod, const nlohmann::json* skip = nullptr);
nlohmann::json sidecar_container(const Config&, const PodFacts&);
nlohmann::json sidecar_volumes(const Config&);  // array

}  // namespace jobtrail::webhook
