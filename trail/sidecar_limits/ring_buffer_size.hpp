#pragma once
// --ring-buffer-kib: the size of the one BPF ring buffer every family writes into
// (sidecar/shared_ring.hpp). The kernel tests use a small one to force overflows (and prove
// every loss is counted); a busy node may want a bigger one.
#include <cstdint>
#include <string>

namespace jobtrail::sidecar {

inline constexpr std::uint64_t kRingBufferMaxKib = std::uint64_t{1} << 20;  // 1 GiB
// 4 MiB: the exec bursts of bench/process.sh lost nothing even with 256 KiB, and the sidecar's
// peak RSS, which shows the ring twice (its data pages are mapped twice), stays under 48 MiB
// (docs/sidecar.md, "Ring buffer size").
inline constexpr std::uint64_t kDefaultRingBufferKib = 4096;

// "" when `kib` KiB is a valid ring-buffer size on a kernel with this page size (a power of two,
// at least one page, at most kRingBufferMaxKib), else one line saying why not.
std::string ring_buffer_kib_error(std::uint64_t kib, std::uint64_t page_size);

}  // namespace jobtrail::sidecar
