#include "sidecar/signal_origin.hpp"

namespace jobtrail::sidecar {

SignalOrigin signal_origin(const std::optional<SignalTally>& now, const SignalTally& seen) {
  if (!now) return SignalOrigin::unknown;
  if (now->from_outside > seen.from_outside) return SignalOrigin::outside;
  if (now->from_job > seen.from_job) return SignalOrigin::job;
  return SignalOrigin::unknown;
}

}  // namespace jobtrail::sidecar
