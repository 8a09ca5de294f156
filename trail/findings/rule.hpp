#pragma once
// A rule looks at events in trail order and reports findings. One rule per source file
// (rule_<id>.cpp), registered in rules.cpp. Rules keep only bounded state of their own.
#include <cstdint>
#include <memory>
#include <unordered_set>
#include <vector>

#include <nlohmann/json.hpp>

#include "trail/findings/config.hpp"
#include "trail/findings/finding.hpp"
#include "trail/findings/job_state.hpp"

namespace jobtrail::findings {

class Rule {
 public:
  virtual ~Rule() = default;
  virtual const char* id() const = 0;
  // `state` already includes `ev`. Append findings to `out`.
  virtual void on_event(const nlohmann::json& ev, const JobState& state, const Config& cfg,
                        std::vector<Finding>& out) = 0;
  // End of the trail: what the rule was still waiting to prove.
  virtual void finish(std::vector<Finding>&) {}
  // Entries of the rule's own state given up to stay within its bounds (the engine sums them).
  virtual std::uint64_t dropped() const { return 0; }
};

// A rule whose act shows both as a command (argv of an exec) and as the syscall behind it
// (a priv event of the same exec): one finding per exec, with the first proof seen.
class OncePerExecRule : public Rule {
 public:
  void on_event(const nlohmann::json& ev, const JobState& state, const Config& cfg,
                std::vector<Finding>& out) final;

 protected:
  virtual void check(const nlohmann::json& ev, std::vector<Finding>& out) = 0;

 private:
  std::unordered_set<std::uint64_t> done_;  // exec_ids already reported (bounded by cfg.max_tracked)
};

struct RuleInfo {
  const char* id;
  const char* severity;  // the usual severity (some rules raise it, e.g. for Runner.Worker)
  const char* what;      // one line for docs and --help
  std::unique_ptr<Rule> (*make)();
};

// Every rule, in a fixed order.
const std::vector<RuleInfo>& all_rules();

}  // namespace jobtrail::findings
