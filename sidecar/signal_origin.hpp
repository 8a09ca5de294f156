#pragma once
// Who sent a signal the sidecar caught: the job (a process of the pod's cgroup), or someone
// outside it (the kubelet's SIGTERM at pod end comes from the container runtime, outside the
// pod). Decided from the kernel's tally of signals generated for the sidecar
// (bpf/lib/sidecar_self.bpf.h), which is counted before the signal is delivered.
#include <cstdint>
#include <optional>

namespace jobtrail::sidecar {

struct SignalTally {
  std::uint64_t from_job = 0, from_outside = 0;
};

enum class SignalOrigin {
  job,      // only the job sent it since the last decision: recorded, the trail goes on
  outside,  // someone outside the job sent it (too): a SIGTERM/SIGINT stops the sidecar
  unknown,  // no tally (priv family not loaded) or none counted: treated as outside
};

// `now`: the kernel's tally for this signal number; `seen`: the tally at the previous decision.
// Outside wins: a SIGTERM of the kubelet merged with a pending one of the job still stops.
SignalOrigin signal_origin(const std::optional<SignalTally>& now, const SignalTally& seen);

}  // namespace jobtrail::sidecar
