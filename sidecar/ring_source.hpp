#pragma once
// Where the pipeline's raw records come from: the tracers' BPF ring buffers in the sidecar
// (sidecar/libbpf_rings.hpp), a list of prepared records in the pipeline's unit test.
#include <cstddef>

namespace jobtrail::sidecar {

class Tracer;

// Receives each record, with the tracer whose ring it came from (the one that decodes it).
class RecordSink {
 public:
  virtual ~RecordSink() = default;
  virtual void on_record(Tracer& from, const void* data, std::size_t size) = 0;
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
