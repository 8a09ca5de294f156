#pragma once
// Which step of the job an event belongs to. The runner starts each step of a job as a direct
// child of Runner.Worker (the shell of a `run:` step, the node of an action); every process a
// step starts descends from that child. So the steps are numbered 1, 2, ... in the order of
// those execs, and every other exec inherits the step of its parent exec. A fold over the trail
// in order: call step_of() for every event (it learns from process_exec), as `jobtrail show` and
// the report do. Bounded: at most max_execs execs are remembered; later ones have no step and
// are counted in forgotten(). A job can start a process it names Runner.Worker: the steps are a
// reading aid, never evidence (the tree and the exec ids are).
#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include <nlohmann/json.hpp>

namespace jobtrail::summary {

// True for the binary the runner starts a job's steps from ("/home/runner/bin/Runner.Worker").
bool is_runner_worker(const std::string& binary);

class JobSteps {
 public:
  explicit JobSteps(std::size_t max_execs = 1'000'000) : max_execs_(max_execs) {}
  // The step (1, 2, ...) of the event's process, 0 when none is known (the runner itself, a
  // process outside every step, a trail without a runner).
  int step_of(const nlohmann::json& event);
  int steps() const { return steps_; }
  std::uint64_t forgotten() const { return forgotten_; }

 private:
  void learn_exec(const nlohmann::json& event);

  std::size_t max_execs_;
  std::unordered_map<std::string, int> step_by_exec_;  // exec id -> step (0: none)
  std::unordered_set<std::string> workers_;             // exec ids of Runner.Worker
  int steps_ = 0;
  std::uint64_t forgotten_ = 0;
};

// "[step 3] " for step 3, "" for 0: the prefix `jobtrail show` puts before a line.
std::string step_prefix(int step);

}  // namespace jobtrail::summary
