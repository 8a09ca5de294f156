#pragma once
// The process family (bpf/process.bpf.c). It owns the shared maps jt_scope (filled here
// from the TracerContext's cgroup fds) and jt_exec_ref; other families reuse their fds.
#include <memory>

#include "sidecar/tracer.hpp"

namespace jobtrail::sidecar {

class ProcessTracer : public Tracer {
 public:
  ProcessTracer();
  ~ProcessTracer() override;
  std::string name() const override { return "process"; }
  void open_and_load(const TracerContext& ctx) override;
  void attach() override;
  int ring_buffer_fd() const override;
  std::optional<nlohmann::json> decode(const void* data, std::size_t size) override;
  std::map<std::string, std::uint64_t> read_losses() override;
  nlohmann::json features() const override;

  int scope_map_fd() const;
  int exec_ref_map_fd() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace jobtrail::sidecar
