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

int LibbpfRing::on_record(void* ctx, void* data, std::size_t size) {
  static_cast<LibbpfRing*>(ctx)->sink_->on_record(data, size);
  return 0;
}

int LibbpfRing::poll(int timeout_ms, RecordSink& sink) {
  sink_ = &sink;
  return ring_buffer__poll(rb_, timeout_ms);
}

int LibbpfRing::consume(RecordSink& sink) {
  sink_ = &sink;
  return ring_buffer__consume(rb_);
}

}  // namespace jobtrail::sidecar
