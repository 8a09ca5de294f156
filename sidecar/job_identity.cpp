#include "sidecar/job_identity.hpp"

#include <algorithm>
#include <string_view>

#include "trail/events/types.hpp"

namespace jobtrail::sidecar {

namespace {
constexpr std::string_view kListener = "Runner.Listener";
constexpr std::string_view kWorker = "Runner.Worker";

// "/home/runner/bin/Runner.Worker" -> {"/home/runner/bin", "Runner.Worker"}
std::pair<std::string_view, std::string_view> split_path(std::string_view path) {
  const auto slash = path.rfind('/');
  if (slash == std::string_view::npos) return {{}, path};
  return {path.substr(0, slash), path.substr(slash + 1)};
}

std::string string_field(const nlohmann::json& obj, const char* key) {
  if (!obj.is_object()) return {};
  const auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::uint64_t id_field(const nlohmann::json& obj, const char* key) {
  if (!obj.is_object()) return 0;
  const auto it = obj.find(key);
  return it != obj.end() && it->is_number_integer() ? it->get<std::uint64_t>() : 0;
}

// The container an exec ran in, as the process tracer names it ("" = the pod cgroup itself,
// also when the tracer could not tell: then every exec compares equal and the other rules decide).
std::string container_of(const nlohmann::json& process) {
  const auto it = process.find("container");
  return it == process.end() ? std::string() : string_field(*it, "cgroup");
}
}  // namespace

void JobIdentity::see_listener(std::uint64_t exec_id, const std::string& container, const std::string& folder) {
  if (!runner_container_) {
    runner_container_ = container;
    runner_folder_ = folder;
  }
  if (container != *runner_container_ || folder != *runner_folder_) return;  // not the runner's
  if (listeners_.size() < kMaxListeners) listeners_.push_back(exec_id);
}

void JobIdentity::see_worker(std::uint64_t exec_id, std::uint64_t parent_exec_id, const std::string& container,
                             const std::string& folder) {
  const char* why = nullptr;
  if (kind_ == PodKind::workflow) why = identity_reason::workflow_pod;
  else if (worker_ != 0) why = identity_reason::second_worker;
  else if (parent_exec_id == 0 || std::find(listeners_.begin(), listeners_.end(), parent_exec_id) == listeners_.end())
    why = identity_reason::not_from_listener;
  else if (container != *runner_container_) why = identity_reason::outside_runner_container;
  else if (folder != *runner_folder_) why = identity_reason::outside_runner_folder;
  if (!why) {
    worker_ = exec_id;
    return;
  }
  if (untrusted_workers_.size() < kMaxUntrustedWorkers) untrusted_workers_[exec_id] = why;
}

JobIdentity::Outcome JobIdentity::mismatch(const nlohmann::json& exec, const nlohmann::json& job, const char* reason) const {
  const auto& process = exec["process"];
  return {{{"type", events::type_name::job_identity},
           {"time", exec.value("time", nlohmann::json())},
           {"mismatch", true},
           {"reason", reason},
           {"job", job},
           {"revealed_by", process.value("exec_id", nlohmann::json())},
           {"process", process}},
          false};
}

std::optional<JobIdentity::Outcome> JobIdentity::on_exec(const nlohmann::json& exec, const nlohmann::json* parent) {
  const auto pit = exec.find("process");
  if (pit == exec.end() || !pit->is_object()) return std::nullopt;
  const auto& process = *pit;
  const std::uint64_t exec_id = id_field(process, "exec_id");
  const std::uint64_t parent_id = id_field(process, "parent_exec_id");
  const std::string binary = string_field(process, "binary");
  const auto [folder, name] = split_path(binary);
  if (name == kListener) see_listener(exec_id, container_of(process), std::string(folder));
  else if (name == kWorker) see_worker(exec_id, parent_id, container_of(process), std::string(folder));

  const auto eit = exec.find("env");
  if (eit == exec.end() || !eit->is_object()) return std::nullopt;
  nlohmann::json job = nlohmann::json::object();
  for (const char* k : events::kJobIdentityVars)
    if (auto v = eit->find(k); v != eit->end()) job[k] = *v;
  if (job.empty()) return std::nullopt;

  // A claim through a parent named Runner.Worker: adopted only from the runner's own worker.
  const bool worker_parent = parent && split_path(string_field(*parent, "binary")).second == kWorker;
  if (worker_parent && (parent_id != worker_ || worker_ == 0)) {
    const auto why = untrusted_workers_.find(parent_id);
    return mismatch(exec, job, why != untrusted_workers_.end() ? why->second : identity_reason::untrusted_worker);
  }
  if (identity_.is_null()) {
    if (!worker_parent) return std::nullopt;  // only the runner's own step processes reveal the identity
    identity_ = job;
    return Outcome{{{"type", events::type_name::job_identity},
                    {"time", exec.value("time", nlohmann::json())},
                    {"job", job},
                    {"revealed_by", exec_id},
                    {"process", process}},
                   true};
  }
  for (auto& [k, v] : job.items())
    if (!identity_.contains(k) || identity_[k] != v) return mismatch(exec, job, identity_reason::values_differ);
  return std::nullopt;
}

}  // namespace jobtrail::sidecar
