// The webhook's configuration file (docs/webhook.md): what to inject and how.
#pragma once
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "trail/sidecar_limits/memory_budget.hpp"
#include "trail/sidecar_limits/ring_buffer_size.hpp"

namespace jobtrail::webhook {

class ConfigError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct SidecarConfig {
  std::string image;
  std::string image_pull_policy = "IfNotPresent";
  std::string mode = "native";  // native | container
  bool privileged = true;
  std::vector<std::string> capabilities{"BPF", "PERFMON", "SYS_RESOURCE", "SYS_PTRACE"};
  nlohmann::json resources = nlohmann::json::object();
  std::string spool_size_limit = "2Gi";               // emptyDir spool only
  // The node's spool root (a hostPath, one folder per pod uid): a trail the store could not take
  // by the flush deadline outlives the pod, and the next sidecar on the node uploads it.
  // "" = an emptyDir, which the pod takes with it.
  std::string spool_host_path = "/var/lib/jobtrail/spool";
  std::uint64_t spool_max_bytes = 1ull << 30;         // --spool-max-bytes: per pod
  std::string host_cgroup_root = "/sys/fs/cgroup";
  int flush_deadline_seconds = 25;
  // --memory-budget-mib: fits the 256 Mi limit with margin
  int memory_budget_mib = static_cast<int>(sidecar::kDefaultMemoryBudgetMib);
  // --ring-buffer-kib: the one BPF ring of all families, inside the budget
  int ring_buffer_kib = static_cast<int>(sidecar::kDefaultRingBufferKib);
  std::string files = "folded";
  std::uint64_t segment_max_bytes = 8u << 20;
  int segment_max_age_seconds = 10;
  std::string log_level = "info";
  int http_port = 9477;
  // Secret (in the pod's namespace) holding the archive's Ed25519 signing key under key.pem,
  // mounted into the sidecar container only; "" = archives are unsigned.
  std::string signing_secret_name;
  // What the sidecar's live stream (its log and OTLP export) shows: story, files or all (--stream).
  std::string stream = "story";
  // OTLP/HTTP logs endpoint, http://HOST:PORT/PATH (--otlp-endpoint); "" = no OTLP export.
  std::string otlp_endpoint;
};

struct StorageConfig {
  std::string url;
  std::string endpoint;
  std::string region = "us-east-1";
  bool path_style = false;
  std::string ca_bundle_config_map;
  std::string credentials_mode = "secret";  // secret | webIdentity
  std::string secret_name = "jobtrail-storage";
  std::string role_arn;
  std::string audience = "sts.amazonaws.com";
  // S3 Object Lock retention on every object the sidecar writes (--object-lock-mode/-days).
  std::string object_lock_mode;  // "" off | GOVERNANCE | COMPLIANCE
  int object_lock_days = 0;
};

// Whose jobtrail.io/inject: "false" is honoured. A runner in kubernetes mode may create pods, so
// "anyone" includes the job itself.
struct OptOutConfig {
  bool anyone = true;
  std::vector<std::string> users;   // request.userInfo.username, exact
  std::vector<std::string> groups;  // any of request.userInfo.groups, exact
  bool allows(const std::string& user, const std::vector<std::string>& user_groups) const;
};

struct Config {
  bool deny_on_error = false;  // onError: deny (accepted; conflicts are refused either way, see mutate)
  OptOutConfig opt_out;
  SidecarConfig sidecar;
  StorageConfig storage;
};

// Throws ConfigError with a one-line reason; unknown keys are errors (a typo must not change injection).
Config parse_config(const nlohmann::json& doc);
Config parse_config_text(const std::string& text);

}  // namespace jobtrail::webhook
