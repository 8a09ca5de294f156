#pragma once
// The process family (bpf/process.bpf.c). It owns the shared maps jt_scope (filled here
// from the TracerContext's cgroup fds) and jt_exec_ref; other families reuse their fds.
#include <memory>

#include "sidecar/bpf_tracer.hpp"

namespace jobtrail::sidecar {

class ProcessTracer : public BpfTracer {
 public:
  ProcessTracer();
  ~ProcessTracer() override;
  std::optional<nlohmann::json> decode(const void* data, std::size_t size) override;
  nlohmann::json features() const override;

  int scope_map_fd() const;
  int exec_ref_map_fd() const;

 private:
  Skeleton open_skeleton() override;
  void before_load(const TracerContext& ctx) override;
  void after_load(const TracerContext& ctx) override;

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace jobtrail::sidecar
