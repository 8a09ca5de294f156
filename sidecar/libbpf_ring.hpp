#pragma once
// The sidecar's one BPF ring buffer (sidecar/shared_ring.hpp) behind a libbpf ring_buffer reader.
// Records are handed on as they are, in the order the kernel reserved them: the sink says which
// family decodes each (sidecar/record_router.hpp).
#include "sidecar/ring_source.hpp"

struct ring_buffer;

namespace jobtrail::sidecar {

class LibbpfRing final : public RingSource {
 public:
  // Reads the ring buffer map `ring_fd`; throws std::runtime_error if libbpf cannot open a
  // reader for it (start-up).
  explicit LibbpfRing(int ring_fd);
  ~LibbpfRing() override;
  LibbpfRing(const LibbpfRing&) = delete;
  LibbpfRing& operator=(const LibbpfRing&) = delete;
  int poll(int timeout_ms, RecordSink& sink) override;
  int consume(RecordSink& sink) override;

 private:
  static int on_record(void* ctx, void* data, std::size_t size);
  // libbpf's result of one poll/consume, with the stop at kMaxRecordsPerCall turned into a count.
  int taken_or_error(int libbpf_result) const;
  ring_buffer* rb_ = nullptr;
  RecordSink* sink_ = nullptr;  // set for the duration of one poll/consume
  int taken_ = 0;               // records handed on in this poll/consume
};

}  // namespace jobtrail::sidecar
