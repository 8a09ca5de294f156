#pragma once
// The one BPF ring buffer of the sidecar. It is created here, before any family loads, so that it
// exists whichever families this kernel can load; every family's object reuses its fd for its
// map `rb` (bpf/lib/ring.bpf.h, sidecar/bpf_attach.hpp). One ring, mapped once by the reader,
// instead of one per family: records reach user space in the order the kernel reserved them,
// and the rings' memory (counted twice in the RSS: the data pages are mapped twice) is paid once.
#include <cstdint>

namespace jobtrail::sidecar {

class SharedRing {
 public:
  // A BPF_MAP_TYPE_RINGBUF of `bytes` (a power-of-two multiple of the page size: the caller
  // checked it, trail/sidecar_limits/ring_buffer_size.hpp); throws std::runtime_error with one line.
  explicit SharedRing(std::uint64_t bytes);
  ~SharedRing();
  SharedRing(const SharedRing&) = delete;
  SharedRing& operator=(const SharedRing&) = delete;
  int fd() const { return fd_; }
  std::uint64_t bytes() const { return bytes_; }

 private:
  int fd_ = -1;
  std::uint64_t bytes_ = 0;
};

}  // namespace jobtrail::sidecar
