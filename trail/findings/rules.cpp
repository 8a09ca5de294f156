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
std::unique_ptr<Rule> make_command_file_injection();
std::unique_ptr<Rule> make_reverse_shell();
std::unique_ptr<Rule> make_runner_credential_read();
std::unique_ptr<Rule> make_ai_agent_unsafe();
std::unique_ptr<Rule> make_shell_startup_write();
std::unique_ptr<Rule> make_secret_scan_outside_checkout();
std::unique_ptr<Rule> make_workflow_file_write();
std::unique_ptr<Rule> make_egress_tamper();
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
      {"command-file-injection", high, "LD_PRELOAD, NODE_OPTIONS, BASH_ENV or a PATH entry written into the runner's command files for later steps", make_command_file_injection},
      {"reverse-shell", critical, "a shell or interpreter whose stdin is a network connection, directly or relayed", make_reverse_shell},
      {"runner-credential-read", high, "the runner's or a tool's credentials read by another process; critical for the runner's .credentials", make_runner_credential_read},
      {"ai-agent-unsafe", medium, "an AI coding agent with its permission checks off; critical from a package-install or build step", make_ai_agent_unsafe},
      {"shell-startup-write", high, "a shell start-up file, /etc/ld.so.preload (critical) or a git hook (medium) written", make_shell_startup_write},
      {"secret-scan-outside-checkout", high, "a secret scanner run over paths outside the job's checkout", make_secret_scan_outside_checkout},
      {"workflow-file-write", high, "a .github/workflows file written; critical when a git push follows", make_workflow_file_write},
      {"egress-tamper", high, "firewall, routes or /etc/hosts, /etc/resolv.conf changed by the job", make_egress_tamper},
      {"sidecar-tamper", critical, "the job signals, ptraces or reads the memory of the jobtrail sidecar", make_sidecar_tamper},
  };
  return rules;
}

}  // namespace jobtrail::findings
