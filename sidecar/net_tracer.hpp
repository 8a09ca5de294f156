#pragma once
// The net + dns family (bpf/net.bpf.c): connects, accepts, TCP closes with byte counts, UDP
// flows and DNS packets. Keeps the job's address -> name table to annotate connections.
#include <memory>

#include "sidecar/tracer.hpp"

namespace jobtrail::sidecar {

class NetTracer : public Tracer {
 public:
  NetTracer();
  ~NetTracer() override;
  std::string name() const override { return "net"; }
  void open_and_load(const TracerContext& ctx) override;
  void attach() override;
  int ring_buffer_fd() const override;
  std::optional<nlohmann::json> decode(const void* data, std::size_t size) override;
  std::map<std::string, std::uint64_t> read_losses() override;
  nlohmann::json features() const override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace jobtrail::sidecar
