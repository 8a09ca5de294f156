#include "sidecar/libbpf_ring.hpp"

#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace jobtrail::sidecar {

LibbpfRing::LibbpfRing(int ring_fd) {
  rb_ = ring_buffer__new(ring_fd, &LibbpfRing::on_record, this, nullptr);
  if (!rb_) throw std::runtime_error(std::string("cannot create the ring buffer reader: ") + std::strerror(errno));
}

LibbpfRing::~LibbpfRing() {
  if (rb_) ring_buffer__free(rb_);
}

namespace {
// What on_record returns to stop libbpf's read loop. libbpf advances the consumer position past
// the record first, so the record that returned it is handled, not read again.
constexpr int kBatchFull = -ECANCELED;
}  // namespace

int LibbpfRing::on_record(void* ctx, void* data, std::size_t size) {
  auto& self = *static_cast<LibbpfRing*>(ctx);
  self.sink_->on_record(data, size);
  return ++self.taken_ >= kMaxRecordsPerCall ? kBatchFull : 0;
}

int LibbpfRing::taken_or_error(int libbpf_result) const {
  return libbpf_result == kBatchFull ? taken_ : libbpf_result;
}

int LibbpfRing::poll(int timeout_ms, RecordSink& sink) {
  sink_ = &sink;
  taken_ = 0;
  return taken_or_error(ring_buffer__poll(rb_, timeout_ms));
}

int LibbpfRing::consume(RecordSink& sink) {
  sink_ = &sink;
  taken_ = 0;
  return taken_or_error(ring_buffer__consume(rb_));
}

}  // namespace jobtrail::sidecar
