#include "sidecar/findings_observer.hpp"

#include <spdlog/spdlog.h>

#include "trail/findings/engine.hpp"

namespace jobtrail::sidecar {

namespace {
class FindingsObserver : public EventObserver {
 public:
  explicit FindingsObserver(findings::Config cfg) : engine_(std::move(cfg)) {}
  void on_event(const nlohmann::json& event, std::vector<nlohmann::json>& out) override {
    try {
      for (auto& f : engine_.on_event(event)) out.push_back(std::move(f));
    } catch (const std::exception& e) {  // a bad event must never stop the trail
      spdlog::warn("findings: event seq {} skipped: {}", event.value("seq", -1), e.what());
    }
  }
  void on_finish(std::vector<nlohmann::json>& out) override {
    for (auto& f : engine_.finish()) out.push_back(std::move(f));
    spdlog::info("findings: {} (rule state dropped to stay bounded: {})", engine_.findings(), engine_.dropped());
  }

 private:
  findings::Engine engine_;
};
}  // namespace

std::unique_ptr<EventObserver> make_findings_observer(findings::Config cfg) {
  return std::make_unique<FindingsObserver>(std::move(cfg));
}

}  // namespace jobtrail::sidecar
