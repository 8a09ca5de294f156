#include "sidecar/shared_ring.hpp"

#include <bpf/bpf.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <string>

#include "sidecar/bpf_attach.hpp"

namespace jobtrail::sidecar {

SharedRing::SharedRing(std::uint64_t bytes) : bytes_(bytes) {
  // Ring buffers exist since 5.8; key and value sizes must be 0, max_entries is the size.
  fd_ = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "jt_rb", 0, 0, static_cast<__u32>(bytes), nullptr);
  if (fd_ < 0)
    throw std::runtime_error("cannot create the " + std::to_string(bytes >> 10) +
                             " KiB ring buffer: " + libbpf_error_text(errno));
}

SharedRing::~SharedRing() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace jobtrail::sidecar
