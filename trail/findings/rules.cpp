// The rule registry: every rule id, its usual severity and what it flags (docs/findings.md).
#include "trail/findings/rule.hpp"

namespace jobtrail::findings {

std::unique_ptr<Rule> make_tls_verify_disabled();
std::unique_ptr<Rule> make_pipe_to_shell();
std::unique_ptr<Rule> make_exec_after_download();
std::unique_ptr<Rule> make_process_memory_read();
std::unique_ptr<Rule> make_proc_environ_read();
std::unique_ptr<Rule> make_host_mount();
std::unique_ptr<Rule> make_namespace_enter();
std::unique_ptr<Rule> make_user_namespace();
std::unique_ptr<Rule> make_kernel_module_load();
std::unique_ptr<Rule> make_bpf_use();
std::unique_ptr<Rule> make_kernel_tunable_write();
std::unique_ptr<Rule> make_release_agent_write();
std::unique_ptr<Rule> make_host_namespace();
std::unique_ptr<Rule> make_privileged_container();
std::unique_ptr<Rule> make_cloud_metadata();
std::unique_ptr<Rule> make_hardcoded_ip();
std::unique_ptr<Rule> make_domain_not_allowed();
std::unique_ptr<Rule> make_crypto_mining();
std::unique_ptr<Rule> make_sidecar_tamper();

const std::vector<RuleInfo>& all_rules() {
  static const std::vector<RuleInfo> rules = {
      {"tls-verify-disabled", medium, "TLS certificate checks switched off (curl -k, wget --no-check-certificate, git sslVerify=false, env)", make_tls_verify_disabled},
      {"pipe-to-shell", high, "a shell or interpreter reading a curl/wget pipe (curl ... | sh)", make_pipe_to_shell},
      {"exec-after-download", high, "a file written by a download is executed", make_exec_after_download},
      {"process-memory-read", high, "another process's memory read (/proc/<pid>/mem, process_vm_readv, ptrace attach); critical for Runner.Worker", make_process_memory_read},
      {"proc-environ-read", high, "/proc/<pid>/environ of another process read; critical for Runner.Worker", make_proc_environ_read},
      {"host-mount", high, "mount of a block device or of the host's file systems", make_host_mount},
      {"namespace-enter", high, "setns or nsenter into another namespace", make_namespace_enter},
      {"user-namespace", medium, "a user namespace created (unshare -U, CLONE_NEWUSER)", make_user_namespace},
      {"kernel-module-load", critical, "kernel module load (init_module, finit_module, insmod, modprobe)", make_kernel_module_load},
      {"bpf-use", high, "the bpf() syscall used by the job", make_bpf_use},
      {"kernel-tunable-write", high, "a file under /proc/sys or /sys opened for writing", make_kernel_tunable_write},
      {"release-agent-write", critical, "a cgroup release_agent written", make_release_agent_write},
      {"host-namespace", high, "a process in the host's namespaces, or setns into one (critical)", make_host_namespace},
      {"privileged-container", critical, "the container runtime asked for --privileged, -v /:/..., or --pid=host", make_privileged_container},
      {"cloud-metadata", high, "the cloud instance metadata service contacted", make_cloud_metadata},
      {"hardcoded-ip", medium, "a connection to an address no DNS answer of the job explains", make_hardcoded_ip},
      {"domain-not-allowed", medium, "a domain outside the configured allow-list", make_domain_not_allowed},
      {"crypto-mining", high, "stratum URLs, miner binaries, mining pool names or ports", make_crypto_mining},
      {"sidecar-tamper", critical, "the job signals, ptraces or reads the memory of the jobtrail sidecar", make_sidecar_tamper},
  };
  return rules;
}

}  // namespace jobtrail::findings
