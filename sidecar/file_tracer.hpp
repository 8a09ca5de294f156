#pragma once
// The file family (bpf/file.bpf.c): opens, changes and per-fd byte totals, folded per exec by
// default (--files folded), every open with --files all, not loaded at all with --files off.
#include <memory>

#include "sidecar/tracer.hpp"

namespace jobtrail::sidecar {

class FileTracer : public Tracer {
 public:
  FileTracer();
  ~FileTracer() override;
  std::string name() const override { return "file"; }
  void open_and_load(const TracerContext& ctx) override;
  nlohmann::json features() const override;
  void attach() override;
  int ring_buffer_fd() const override;
  std::optional<nlohmann::json> decode(const void* data, std::size_t size) override;
  std::map<std::string, std::uint64_t> read_losses() override;
  std::vector<nlohmann::json> flush() override;
  void set_memory_share(std::uint64_t bytes) override;
  MemoryUse memory_use() const override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace jobtrail::sidecar
