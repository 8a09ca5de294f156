#pragma once
// The priv family (bpf/priv.bpf.c): privilege-relevant syscalls and capability use.
#include <cstdint>
#include <memory>
#include <optional>

#include "sidecar/signal_origin.hpp"
#include "sidecar/bpf_tracer.hpp"

namespace jobtrail::sidecar {

class PrivTracer : public BpfTracer {
 public:
  PrivTracer();
  ~PrivTracer() override;
  std::optional<nlohmann::json> decode(const void* data, std::size_t size) override;

  // Tells the kernel who the sidecar is (its host tgid and every thread's numbers in every pid
  // namespace, bpf/lib/sidecar_self.bpf.h) and forgets threads that have gone. Call after load
  // and again as threads come and go; returns the threads recorded, or -1 (logged) on failure.
  int refresh_self();
  // Signals generated for the sidecar so far with number `signo`, by origin; nullopt if unknown.
  std::optional<SignalTally> sidecar_signals(int signo) const;

 private:
  Skeleton open_skeleton() override;
  void before_load(const TracerContext& ctx) override;
  void before_attach() override;

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace jobtrail::sidecar
