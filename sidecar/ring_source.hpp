#pragma once
// Where the pipeline's raw records come from: the sidecar's one BPF ring buffer
// (sidecar/libbpf_ring.hpp), a list of prepared records in the pipeline's unit test.
#include <cstddef>

namespace jobtrail::sidecar {

// Receives each record as the ring holds it; its event_header.type says which family decodes
// it (sidecar/record_router.hpp), and nothing else about it is checked yet.
class RecordSink {
 public:
  virtual ~RecordSink() = default;
  virtual void on_record(const void* data, std::size_t size) = 0;
};

class RingSource {
 public:
  virtual ~RingSource() = default;
  // Waits up to timeout_ms for records, hands each to `sink`; returns records read, or a
  // negative errno (-EINTR: interrupted, nothing lost).
  virtual int poll(int timeout_ms, RecordSink& sink) = 0;
  // Reads, without waiting, every record produced so far.
  virtual int consume(RecordSink& sink) = 0;
};

}  // namespace jobtrail::sidecar
