#pragma once
// The net + dns family (bpf/net.bpf.c): connects, accepts, TCP closes with byte counts, UDP
// flows and DNS packets. Keeps the job's address -> name table to annotate connections.
#include <memory>

#include "sidecar/bpf_tracer.hpp"

namespace jobtrail::sidecar {

class NetTracer : public BpfTracer {
 public:
  NetTracer();
  ~NetTracer() override;
  std::optional<nlohmann::json> decode(const void* data, std::size_t size) override;
  nlohmann::json features() const override;

 private:
  Skeleton open_skeleton() override;
  void before_load(const TracerContext& ctx) override;
  void add_own_losses(std::map<std::string, std::uint64_t>& totals) override;

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace jobtrail::sidecar
