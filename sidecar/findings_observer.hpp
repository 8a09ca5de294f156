#pragma once
// The findings engine (trail/findings/) as a pipeline observer: every event goes through the
// rules; findings are written after the event that completed their proof.
#include <memory>

#include "sidecar/observer.hpp"
#include "trail/findings/config.hpp"

namespace jobtrail::sidecar {

// Throws std::invalid_argument for an unknown id in cfg.disabled (a start-up error).
std::unique_ptr<EventObserver> make_findings_observer(findings::Config cfg);

}  // namespace jobtrail::sidecar
