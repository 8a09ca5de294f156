#pragma once
// The priv family (bpf/priv.bpf.c): privilege-relevant syscalls and capability use.
#include <cstdint>
#include <memory>
#include <optional>

#include "sidecar/signal_origin.hpp"
#include "sidecar/tracer.hpp"

namespace jobtrail::sidecar {

class PrivTracer : public Tracer {
 public:
  PrivTracer();
  ~PrivTracer() override;
  std::string name() const override { return "priv"; }
  void open_and_load(const TracerContext& ctx) override;
  void attach() override;
  int ring_buffer_fd() const override;
  std::optional<nlohmann::json> decode(const void* data, std::size_t size) override;
  std::map<std::string, std::uint64_t> read_losses() override;

  // Tells the kernel who the sidecar is (its host tgid and every thread's numbers in every pid
  // namespace, bpf/lib/sidecar_self.bpf.h) and forgets threads that have gone. Call after load
  // and again as threads come and go; returns the threads recorded, or -1 (logged) on failure.
  int refresh_self();
  // Signals generated for the sidecar so far with number `signo`, by origin; nullopt if unknown.
  std::optional<SignalTally> sidecar_signals(int signo) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace jobtrail::sidecar
