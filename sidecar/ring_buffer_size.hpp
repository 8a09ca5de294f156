#pragma once
// --ring-buffer-kib: one size for every family's BPF ring buffer. The kernel tests use a small
// one to force overflows (and prove every loss is counted); a busy node may want a bigger one.
// 0 keeps each family's own default (bpf/*.bpf.c).
#include <cstdint>
#include <string>

namespace jobtrail::sidecar {

inline constexpr std::uint64_t kRingBufferMaxKib = std::uint64_t{1} << 20;  // 1 GiB per family

// "" when `kib` KiB is a valid ring-buffer size on a kernel with this page size (a power of two,
// at least one page, at most kRingBufferMaxKib; 0 = defaults), else one line saying why not.
std::string ring_buffer_kib_error(std::uint64_t kib, std::uint64_t page_size);

}  // namespace jobtrail::sidecar
