#pragma once
// The findings engine: consumes a trail's events in archive order and returns `finding`
// events. The same code runs live in the sidecar (an EventObserver) and in `jobtrail findings`
// over an archive. Pure: no I/O, bounded memory.
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "trail/findings/config.hpp"
#include "trail/findings/job_state.hpp"
#include "trail/findings/rule.hpp"

namespace jobtrail::findings {

class Engine {
 public:
  // Throws std::invalid_argument naming an unknown id in cfg.disabled.
  explicit Engine(Config cfg);
  ~Engine();
  // Finding events caused by `ev` (a complete event with seq). `finding` events are ignored,
  // so feeding an archive that already holds findings does not find them again.
  std::vector<nlohmann::json> on_event(const nlohmann::json& ev);
  // End of the trail: what rules were still waiting to prove, then one closing finding per
  // rule that hit max_per_rule, with the count.
  std::vector<nlohmann::json> finish();
  std::uint64_t findings() const { return emitted_; }
  // State the engine and its rules gave up to stay bounded (oldest execs, waiting proofs).
  std::uint64_t dropped() const;

 private:
  Config cfg_;
  JobState state_;
  std::vector<std::unique_ptr<Rule>> rules_;
  std::set<std::string> seen_;                  // dedup: id + exec_ids + evidence
  std::map<std::string, std::uint64_t> count_, suppressed_;
  nlohmann::json last_time_;  // time of the last event, for closing findings
  std::uint64_t emitted_ = 0;
};

}  // namespace jobtrail::findings
