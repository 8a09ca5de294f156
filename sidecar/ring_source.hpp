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
  // A job writing records as fast as we read them would keep one read going for ever: the
  // pipeline's once-a-second work (loss polls, segment cuts, the stop signal) would never run.
  // So one call hands on at most this many records; a call that returns it may have left more.
  static constexpr int kMaxRecordsPerCall = 4096;
  virtual ~RingSource() = default;
  // Waits up to timeout_ms for records, hands each to `sink` (at most kMaxRecordsPerCall);
  // returns records read, or a negative errno (-EINTR: interrupted, nothing lost).
  virtual int poll(int timeout_ms, RecordSink& sink) = 0;
  // Reads, without waiting, the records produced so far (at most kMaxRecordsPerCall).
  virtual int consume(RecordSink& sink) = 0;
};

}  // namespace jobtrail::sidecar
