#include "trail/summary/job_steps.hpp"

#include "trail/events/types.hpp"
#include "trail/summary/fields.hpp"

namespace jobtrail::summary {

bool is_runner_worker(const std::string& binary) {
  const auto slash = binary.rfind('/');
  return binary.compare(slash == std::string::npos ? 0 : slash + 1, std::string::npos, "Runner.Worker") == 0;
}

void JobSteps::learn_exec(const nlohmann::json& event) {
  const std::string id = exec_id_of(event);
  if (id.empty() || step_by_exec_.count(id)) return;  // a repeated exec id keeps its first step
  if (step_by_exec_.size() >= max_execs_) {
    ++forgotten_;
    return;
  }
  const std::string parent = parent_exec_id_of(event);
  int step = 0;
  if (!parent.empty() && workers_.count(parent)) {
    step = ++steps_;
  } else if (auto it = step_by_exec_.find(parent); it != step_by_exec_.end()) {
    step = it->second;
  }
  // A worker inside a step (a job starting its own) still starts no steps of its own.
  if (step == 0 && is_runner_worker(binary_of(event))) workers_.insert(id);
  step_by_exec_.emplace(id, step);
}

int JobSteps::step_of(const nlohmann::json& event) {
  if (event_type(event) == events::type_name::process_exec) learn_exec(event);
  auto it = step_by_exec_.find(exec_id_of(event));
  return it == step_by_exec_.end() ? 0 : it->second;
}

std::string step_prefix(int step) { return step > 0 ? "[step " + std::to_string(step) + "] " : ""; }

}  // namespace jobtrail::summary
