#pragma once
// The file family (bpf/file.bpf.c): opens, changes and per-fd byte totals, folded per exec by
// default (--files folded), every open with --files all, not loaded at all with --files off.
#include <memory>

#include "sidecar/bpf_tracer.hpp"

namespace jobtrail::sidecar {

class FileTracer : public BpfTracer {
 public:
  FileTracer();
  ~FileTracer() override;
  nlohmann::json features() const override;
  std::optional<nlohmann::json> decode(const void* data, std::size_t size) override;
  std::vector<nlohmann::json> flush() override;
  void set_memory_share(std::uint64_t bytes) override;
  MemoryUse memory_use() const override;

 private:
  bool wanted(const TracerContext& ctx) override;
  Skeleton open_skeleton() override;
  void before_load(const TracerContext& ctx) override;

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace jobtrail::sidecar
