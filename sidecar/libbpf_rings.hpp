#pragma once
// The tracers' BPF ring buffers behind one libbpf ring_buffer reader.
#include <memory>
#include <utility>
#include <vector>

#include "sidecar/ring_source.hpp"
#include "sidecar/tracer.hpp"

struct ring_buffer;

namespace jobtrail::sidecar {

class LibbpfRings final : public RingSource {
 public:
  // Every tracer with a ring (ring_buffer_fd() >= 0); throws std::runtime_error if libbpf
  // cannot open a reader for one of them (start-up).
  explicit LibbpfRings(std::vector<std::unique_ptr<Tracer>>& tracers);
  ~LibbpfRings() override;
  LibbpfRings(const LibbpfRings&) = delete;
  LibbpfRings& operator=(const LibbpfRings&) = delete;
  int poll(int timeout_ms, RecordSink& sink) override;
  int consume(RecordSink& sink) override;

 private:
  static int on_record(void* ctx, void* data, std::size_t size);
  ring_buffer* rb_ = nullptr;
  RecordSink* sink_ = nullptr;  // set for the duration of one poll/consume
  std::vector<std::pair<LibbpfRings*, Tracer*>> ctx_;
};

}  // namespace jobtrail::sidecar
