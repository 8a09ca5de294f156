#pragma once
// The priv family (bpf/priv.bpf.c): privilege-relevant syscalls and capability use.
#include <memory>

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

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace jobtrail::sidecar
