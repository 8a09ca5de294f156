#include "trail/findings/rule.hpp"

#include "trail/findings/event_view.hpp"

namespace jobtrail::findings {

void OncePerExecRule::on_event(const nlohmann::json& ev, const JobState&, const Config& cfg,
                               std::vector<Finding>& out) {
  if (done_.count(exec_id_of(ev))) return;
  const auto before = out.size();
  check(ev, out);
  if (out.size() > before) {
    if (done_.size() >= cfg.max_tracked) done_.clear();
    done_.insert(exec_id_of(ev));
  }
}

}  // namespace jobtrail::findings
