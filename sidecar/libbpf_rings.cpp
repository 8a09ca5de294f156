#include "sidecar/libbpf_rings.hpp"

#include <bpf/libbpf.h>

#include <stdexcept>

namespace jobtrail::sidecar {

LibbpfRings::LibbpfRings(std::vector<std::unique_ptr<Tracer>>& tracers) {
  ctx_.reserve(tracers.size());  // libbpf keeps pointers into ctx_: it never reallocates
  for (auto& t : tracers) {
    int fd = t->ring_buffer_fd();
    if (fd < 0) continue;
    ctx_.emplace_back(this, t.get());
    if (!rb_) {
      rb_ = ring_buffer__new(fd, &LibbpfRings::on_record, &ctx_.back(), nullptr);
      if (!rb_) throw std::runtime_error("cannot create ring buffer reader for " + t->name());
    } else if (ring_buffer__add(rb_, fd, &LibbpfRings::on_record, &ctx_.back())) {
      throw std::runtime_error("cannot add ring buffer of " + t->name());
    }
  }
}

LibbpfRings::~LibbpfRings() {
  if (rb_) ring_buffer__free(rb_);
}

int LibbpfRings::on_record(void* ctx, void* data, std::size_t size) {
  auto* c = static_cast<std::pair<LibbpfRings*, Tracer*>*>(ctx);
  c->first->sink_->on_record(*c->second, data, size);
  return 0;
}

int LibbpfRings::poll(int timeout_ms, RecordSink& sink) {
  if (!rb_) return 0;
  sink_ = &sink;
  return ring_buffer__poll(rb_, timeout_ms);
}

int LibbpfRings::consume(RecordSink& sink) {
  if (!rb_) return 0;
  sink_ = &sink;
  return ring_buffer__consume(rb_);
}

}  // namespace jobtrail::sidecar
