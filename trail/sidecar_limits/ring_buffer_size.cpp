#include "trail/sidecar_limits/ring_buffer_size.hpp"

#include <bit>

namespace jobtrail::sidecar {

std::string ring_buffer_kib_error(std::uint64_t kib, std::uint64_t page_size) {
  const std::string flag = "--ring-buffer-kib " + std::to_string(kib) + ": ";
  if (kib > kRingBufferMaxKib) return flag + "at most " + std::to_string(kRingBufferMaxKib) + " (1 GiB)";
  if (!std::has_single_bit(kib)) return flag + "must be a power of two (4, 8, ... 1024, ...)";
  // The kernel wants a power-of-two multiple of the page size (BPF_MAP_TYPE_RINGBUF).
  if (kib * 1024 < page_size) return flag + "must be at least the page size (" + std::to_string(page_size / 1024) + " KiB)";
  return "";
}

}  // namespace jobtrail::sidecar
