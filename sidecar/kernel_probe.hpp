#pragma once
// Probe, then choose: what the running kernel offers the BPF programs, asked once at start-up
// so each family can pick the variant of its programs that loads here (docs/install.md has
// the table of supported kernels and what each variant records).
#include <bpf/bpf.h>

#include <string>

namespace jobtrail::sidecar {

// True when a program of `type` may call `helper` on this kernel (libbpf loads a two-insn
// program and reads the verifier's answer). False also when the probe itself cannot run.
bool helper_offered(bpf_prog_type type, bpf_func_id helper);

// uname -r, e.g. "6.1.0-50-cloud-amd64" (the manifest's meta.kernel).
std::string kernel_release();

}  // namespace jobtrail::sidecar
