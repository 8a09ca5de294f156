#pragma once
// A rule looks at events in trail order and reports findings. One rule per source file
// (rule_<id>.cpp), registered in rules.cpp. Rules keep only bounded state of their own.
#include <memory>
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
