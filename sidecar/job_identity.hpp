#pragma once
// Which GitHub job a pod's trail belongs to, decided so that the job cannot forge it. The job is
// root in the pod and can name a binary Runner.Worker and set any GITHUB_* variable, so a name
// proves nothing: the identity is adopted only from a direct child of the runner's own
// Runner.Worker, which is
//   - started by Runner.Listener (the first Runner.Listener of the pod, or a later one in the same
//     container and folder: the runner's scripts may exec it more than once),
//   - in the container of that Listener (the runner container) and in the Listener's folder,
//   - the first such worker of the pod: an ephemeral runner runs one job, so any later
//     Runner.Worker was started from inside the job.
// Every other claim through a Runner.Worker parent is a `job_identity` event with `mismatch: true`
// and a `reason`, never adopted. In a kubernetes-mode workflow pod (created by the runner's
// container hooks) there is no runner at all: every claim is a mismatch, and readers take the
// identity from the runner pod's archive (meta.pod.runner_pod).
// Pure: the pipeline passes each process_exec event and its parent's exec-table entry.
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

namespace jobtrail::sidecar {

// Why a claim was not adopted: the `reason` of a mismatch event (docs/schema.md).
namespace identity_reason {
inline constexpr const char* workflow_pod = "workflow_pod";
inline constexpr const char* not_from_listener = "worker_not_started_by_listener";
inline constexpr const char* outside_runner_container = "worker_outside_runner_container";
inline constexpr const char* outside_runner_folder = "worker_outside_runner_folder";
inline constexpr const char* second_worker = "second_worker";
inline constexpr const char* untrusted_worker = "untrusted_worker";  // its own record was not kept
inline constexpr const char* values_differ = "values_differ";
}  // namespace identity_reason

class JobIdentity {
 public:
  enum class PodKind { runner, workflow };
  struct Outcome {
    nlohmann::json event;  // the job_identity event to write
    bool adopted = false;  // the pod's identity is now event["job"]
  };

  explicit JobIdentity(PodKind kind = PodKind::runner) : kind_(kind) {}
  void set_pod_kind(PodKind kind) { kind_ = kind; }

  // Every process_exec event, in trail order; `parent` is the exec-table entry of its
  // parent_exec_id (nullptr when unknown). Returns the event to write, if any.
  std::optional<Outcome> on_exec(const nlohmann::json& exec, const nlohmann::json* parent);

  const nlohmann::json& identity() const { return identity_; }  // null until adopted

 private:
  // Bounds on what a job can make us remember (it can start any number of such binaries).
  static constexpr std::size_t kMaxListeners = 16;
  static constexpr std::size_t kMaxUntrustedWorkers = 256;

  void see_listener(std::uint64_t exec_id, const std::string& container, const std::string& folder);
  void see_worker(std::uint64_t exec_id, std::uint64_t parent_exec_id, const std::string& container,
                  const std::string& folder);
  Outcome mismatch(const nlohmann::json& exec, const nlohmann::json& job, const char* reason) const;

  PodKind kind_;
  nlohmann::json identity_;
  // The runner: the container and folder of its first Runner.Listener, that Listener's exec ids.
  std::optional<std::string> runner_container_, runner_folder_;
  std::vector<std::uint64_t> listeners_;
  std::uint64_t worker_ = 0;  // exec id of the runner's own Runner.Worker, 0 = not seen
  std::unordered_map<std::uint64_t, const char*> untrusted_workers_;  // exec id -> why not trusted
};

}  // namespace jobtrail::sidecar
