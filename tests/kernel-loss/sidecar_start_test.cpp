// Pure parts behind the kernel-loss tests: the --ring-buffer-kib check and the cgroup v2 line
// of /proc/self/cgroup that pod cgroup discovery starts from.
#include <doctest/doctest.h>

#include "sidecar/proc_cgroup.hpp"
#include "trail/sidecar_limits/ring_buffer_size.hpp"

using namespace jobtrail::sidecar;

TEST_CASE("ring buffer size: powers of two from one page up to 1 GiB") {
  CHECK(ring_buffer_kib_error(kDefaultRingBufferKib, 65536) == "");
  CHECK(ring_buffer_kib_error(4, 4096) == "");
  CHECK(ring_buffer_kib_error(1024, 4096) == "");
  CHECK(ring_buffer_kib_error(kRingBufferMaxKib, 4096) == "");
  CHECK(ring_buffer_kib_error(64, 65536) == "");  // 64 KiB pages (arm64, ppc64)
}

TEST_CASE("ring buffer size: one line naming the flag for every bad value") {
  CHECK(ring_buffer_kib_error(3, 4096) == "--ring-buffer-kib 3: must be a power of two (4, 8, ... 1024, ...)");
  CHECK(ring_buffer_kib_error(0, 4096) == "--ring-buffer-kib 0: must be a power of two (4, 8, ... 1024, ...)");
  CHECK(ring_buffer_kib_error(1000, 4096).find("power of two") != std::string::npos);
  CHECK(ring_buffer_kib_error(2, 4096) == "--ring-buffer-kib 2: must be at least the page size (4 KiB)");
  CHECK(ring_buffer_kib_error(32, 65536) == "--ring-buffer-kib 32: must be at least the page size (64 KiB)");
  CHECK(ring_buffer_kib_error(kRingBufferMaxKib * 2, 4096) == "--ring-buffer-kib 2097152: at most 1048576 (1 GiB)");
  CHECK(ring_buffer_kib_error(~std::uint64_t{0}, 4096).find("at most") != std::string::npos);  // no overflow in kib*1024
}

TEST_CASE("proc cgroup: the v2 line on a hybrid host comes last") {
  const char* hybrid =
      "9:name=systemd:/\n8:pids:/\n4:memory:/process_api/ef77\n1:cpu:/\n0::/jt-pod-1/sidecar\n";
  CHECK(cgroup_v2_path(hybrid) == "/jt-pod-1/sidecar");
  // in a cgroup namespace every line says "/": the v2 one, not the first, decides
  CHECK(cgroup_v2_path("12:rdma:/\n11:blkio:/\n0::/\n") == "/");
}

TEST_CASE("proc cgroup: pure v2 hosts and missing lines") {
  CHECK(cgroup_v2_path("0::/kubepods.slice/kubepods-pod1.slice/cri-containerd-ab.scope\n") ==
        "/kubepods.slice/kubepods-pod1.slice/cri-containerd-ab.scope");
  CHECK(cgroup_v2_path("0::/a b/c") == "/a b/c");  // no trailing newline, spaces kept
  CHECK_FALSE(cgroup_v2_path("3:cpu:/x\n2:memory:/y\n").has_value());  // cgroup v1 only
  CHECK_FALSE(cgroup_v2_path("").has_value());
  CHECK_FALSE(cgroup_v2_path("0::").has_value());
  CHECK_FALSE(cgroup_v2_path("10::/not-v2\n").has_value());  // "10::" is not "0::"
}
