#include "sidecar/kernel_probe.hpp"

#include <bpf/libbpf.h>
#include <sys/utsname.h>

namespace jobtrail::sidecar {

bool helper_offered(bpf_prog_type type, bpf_func_id helper) {
  return libbpf_probe_bpf_helper(type, helper, nullptr) == 1;
}

std::string kernel_release() {
  utsname u{};
  return uname(&u) == 0 ? std::string(u.release) : std::string();
}

}  // namespace jobtrail::sidecar
