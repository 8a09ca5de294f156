#include "trail/events/priv_decode.hpp"

#include <cstring>
#include <string_view>

#include "bpf/events/priv.h"
#include "trail/events/number_text.hpp"
#include "trail/events/record_common.hpp"
#include "trail/events/types.hpp"

namespace jobtrail::events {
namespace {

using nlohmann::json;

const char* kSyscalls[] = {"?", "setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid", "setfsuid",
                           "setfsgid", "setgroups", "capset", "setns", "unshare", "mount", "umount2", "pivot_root",
                           "chroot", "ptrace", "init_module", "finit_module", "delete_module", "bpf", "kexec_load",
                           "kexec_file_load", "perf_event_open", "process_vm_readv", "process_vm_writev", "clone3", "signal",
                           "open_proc_mem", "open_proc_environ"};
static_assert(sizeof(kSyscalls) / sizeof(kSyscalls[0]) == JT_PRIV_SYSCALL_MAX);

const char* kCaps[] = {"CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID",
                       "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW",
                       "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT",
                       "SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD",
                       "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG",
                       "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE"};

const char* kBpfCmds[] = {"BPF_MAP_CREATE", "BPF_MAP_LOOKUP_ELEM", "BPF_MAP_UPDATE_ELEM", "BPF_MAP_DELETE_ELEM",
                          "BPF_MAP_GET_NEXT_KEY", "BPF_PROG_LOAD", "BPF_OBJ_PIN", "BPF_OBJ_GET", "BPF_PROG_ATTACH",
                          "BPF_PROG_DETACH", "BPF_PROG_TEST_RUN", "BPF_PROG_GET_NEXT_ID", "BPF_MAP_GET_NEXT_ID",
                          "BPF_PROG_GET_FD_BY_ID", "BPF_MAP_GET_FD_BY_ID", "BPF_OBJ_GET_INFO_BY_FD",
                          "BPF_PROG_QUERY", "BPF_RAW_TRACEPOINT_OPEN", "BPF_BTF_LOAD", "BPF_BTF_GET_FD_BY_ID",
                          "BPF_TASK_FD_QUERY", "BPF_MAP_LOOKUP_AND_DELETE_ELEM", "BPF_MAP_FREEZE",
                          "BPF_BTF_GET_NEXT_ID", "BPF_MAP_LOOKUP_BATCH", "BPF_MAP_LOOKUP_AND_DELETE_BATCH",
                          "BPF_MAP_UPDATE_BATCH", "BPF_MAP_DELETE_BATCH", "BPF_LINK_CREATE", "BPF_LINK_UPDATE",
                          "BPF_LINK_GET_FD_BY_ID", "BPF_LINK_GET_NEXT_ID", "BPF_ENABLE_STATS", "BPF_ITER_CREATE",
                          "BPF_LINK_DETACH", "BPF_PROG_BIND_MAP", "BPF_TOKEN_CREATE"};

std::string ptrace_request(std::uint64_t r) {
  switch (r) {
    case 0: return "PTRACE_TRACEME";
    case 1: return "PTRACE_PEEKTEXT";
    case 2: return "PTRACE_PEEKDATA";
    case 4: return "PTRACE_POKETEXT";
    case 5: return "PTRACE_POKEDATA";
    case 7: return "PTRACE_CONT";
    case 8: return "PTRACE_KILL";
    case 12: return "PTRACE_GETREGS";
    case 13: return "PTRACE_SETREGS";
    case 16: return "PTRACE_ATTACH";
    case 17: return "PTRACE_DETACH";
    case 0x4206: return "PTRACE_SEIZE";
  }
  return "PTRACE_" + std::to_string(r);
}

const char* kSignals[] = {"0",       "SIGHUP",  "SIGINT",  "SIGQUIT", "SIGILL",    "SIGTRAP", "SIGABRT", "SIGBUS",
                          "SIGFPE",  "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2",   "SIGPIPE", "SIGALRM", "SIGTERM",
                          "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG",
                          "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS"};

std::string signal_name(std::uint64_t signo) {
  if (signo < std::size(kSignals)) return kSignals[signo];
  return "SIG" + std::to_string(signo);  // real-time signals
}

// signal_generate's result (include/trace/events/signal.h)
std::string signal_delivery(std::uint64_t r) {
  switch (r) {
    case 0: return "delivered";
    case 1: return "ignored";
    case 2: return "already_pending";
    case 3: return "overflow";
    case 4: return "info_lost";
  }
  return std::to_string(r);
}

std::string str_at(const priv_event& e, int i) {
  std::size_t n = std::min<std::size_t>(e.str_len[i], JT_PRIV_STR_MAX);
  std::string s(e.str[i], n);
  if (!s.empty() && s.back() == '\0') s.pop_back();
  return s;
}

std::int64_t sarg(std::uint64_t v) { return static_cast<std::int32_t>(v); }

// setns: the target namespace's inode (a /proc/PID/ns/KIND fd) and the kernel's verdict on
// whether it is one of the host's namespaces (bpf/lib/host_ns.bpf.h). host_ns is left out when
// the kernel could not decide (a failed setns on a pidfd), never guessed.
json setns_args(const priv_event& e) {
  json j = {{"fd", sarg(e.args[0])}, {"flags", e.args[1]}, {"namespaces", namespace_flags(e.args[1])}};
  if (e.extra) j["ns_inum"] = e.extra;
  if (e.host_ns & JT_HOST_NS_DECIDED) {
    json kinds = host_namespace_kinds(e.host_ns);
    j["host_ns"] = !kinds.empty();
    if (!kinds.empty()) j["host_namespaces"] = std::move(kinds);
  }
  return j;
}

// A signal generated for the sidecar by the job (bpf/priv.bpf.c signal_generate): the target's
// numbers are the host's, the sender is the event's process.
json signal_args(const priv_event& e) {
  const auto* a = e.args;
  return {{"signal", signal_name(a[JT_SIG_ARG_SIGNO])},
          {"signo", a[JT_SIG_ARG_SIGNO]},
          {"target", "sidecar"},
          {"target_host_pid", a[JT_SIG_ARG_TARGET_TGID]},
          {"target_host_tid", a[JT_SIG_ARG_TARGET_TID]},
          {"whole_process", a[JT_SIG_ARG_GROUP] != 0},
          {"si_code", sarg(a[JT_SIG_ARG_CODE])},
          {"delivery", signal_delivery(a[JT_SIG_ARG_RESULT])}};
}

json with_sidecar_target(json args, const priv_event& e) {
  if (e.extra & JT_PRIV_TARGET_SIDECAR) args["target"] = "sidecar";
  return args;
}

json args_json(const priv_event& e) {
  const auto* a = e.args;
  switch (e.syscall) {
    case JT_PRIV_SIGNAL: return signal_args(e);
    case JT_PRIV_OPEN_PROC_MEM:
    case JT_PRIV_OPEN_PROC_ENVIRON:
      // proc_path, not path: the file family's event of the same open already feeds the rules
      // that read any process's /proc files (process-memory-read, proc-environ-read)
      if (a[3] == 1)  // found from the opened file: the path the job wrote did not show it
        return with_sidecar_target({{"target_host_tid", sarg(a[2])}, {"found_by", "opened_file"}}, e);
      return with_sidecar_target({{"proc_path", str_at(e, 0)}, {"target_pid", sarg(a[2])}, {"flags", a[1]}}, e);
    case JT_PRIV_SETUID: return {{"uid", sarg(a[0])}};
    case JT_PRIV_SETGID: return {{"gid", sarg(a[0])}};
    case JT_PRIV_SETREUID: return {{"ruid", sarg(a[0])}, {"euid", sarg(a[1])}};
    case JT_PRIV_SETREGID: return {{"rgid", sarg(a[0])}, {"egid", sarg(a[1])}};
    case JT_PRIV_SETRESUID: return {{"ruid", sarg(a[0])}, {"euid", sarg(a[1])}, {"suid", sarg(a[2])}};
    case JT_PRIV_SETRESGID: return {{"rgid", sarg(a[0])}, {"egid", sarg(a[1])}, {"sgid", sarg(a[2])}};
    case JT_PRIV_SETFSUID: return {{"fsuid", sarg(a[0])}};
    case JT_PRIV_SETFSGID: return {{"fsgid", sarg(a[0])}};
    case JT_PRIV_SETGROUPS: return {{"count", sarg(a[0])}};
    case JT_PRIV_CAPSET: return {{"target_pid", e.extra}};
    case JT_PRIV_SETNS: return setns_args(e);
    case JT_PRIV_UNSHARE: return {{"flags", a[0]}, {"namespaces", namespace_flags(a[0])}};
    case JT_PRIV_MOUNT:
      return {{"source", str_at(e, 0)}, {"target", str_at(e, 1)}, {"fstype", str_at(e, 2)}, {"flags", a[3]}};
    case JT_PRIV_UMOUNT2: return {{"target", str_at(e, 0)}, {"flags", a[1]}};
    case JT_PRIV_PIVOT_ROOT: return {{"new_root", str_at(e, 0)}, {"put_old", str_at(e, 1)}};
    case JT_PRIV_CHROOT: return {{"path", str_at(e, 0)}};
    case JT_PRIV_PTRACE: return with_sidecar_target({{"request", ptrace_request(a[0])}, {"target_pid", sarg(a[1])}}, e);
    case JT_PRIV_INIT_MODULE: return {{"size", a[1]}, {"params", str_at(e, 0)}};
    case JT_PRIV_FINIT_MODULE: return {{"fd", sarg(a[0])}, {"params", str_at(e, 0)}, {"flags", a[2]}};
    case JT_PRIV_DELETE_MODULE: return {{"name", str_at(e, 0)}, {"flags", a[1]}};
    case JT_PRIV_BPF:
      return {{"cmd", a[0] < std::size(kBpfCmds) ? std::string(kBpfCmds[a[0]]) : "BPF_CMD_" + std::to_string(a[0])}};
    case JT_PRIV_KEXEC_LOAD: return {{"segments", a[1]}, {"flags", a[3]}};
    case JT_PRIV_KEXEC_FILE_LOAD: return {{"kernel_fd", sarg(a[0])}, {"flags", a[4]}};
    case JT_PRIV_PERF_EVENT_OPEN:
      return {{"type", e.extra}, {"target_pid", sarg(a[1])}, {"cpu", sarg(a[2])}, {"flags", a[4]}};
    case JT_PRIV_PROCESS_VM_READV:
    case JT_PRIV_PROCESS_VM_WRITEV: return with_sidecar_target({{"target_pid", sarg(a[0])}}, e);
  }
  return json::object();
}

}  // namespace

json namespace_flags(std::uint64_t f) {
  json out = json::array();
  const std::pair<std::uint64_t, const char*> kFlags[] = {{0x00020000, "mnt"}, {0x04000000, "uts"},
                                                          {0x08000000, "ipc"}, {0x10000000, "user"},
                                                          {0x20000000, "pid"}, {0x40000000, "net"},
                                                          {0x02000000, "cgroup"}, {0x00000080, "time"}};
  for (auto [bit, name] : kFlags)
    if (f & bit) out.push_back(name);
  return out;
}

json host_namespace_kinds(std::uint16_t host_ns) {
  json out = json::array();
  const std::pair<std::uint16_t, const char*> kKinds[] = {
      {JT_HOST_NS_MNT, "mnt"}, {JT_HOST_NS_PID, "pid"},       {JT_HOST_NS_NET, "net"},       {JT_HOST_NS_UTS, "uts"},
      {JT_HOST_NS_IPC, "ipc"}, {JT_HOST_NS_USER, "user"}, {JT_HOST_NS_CGROUP, "cgroup"}, {JT_HOST_NS_TIME, "time"}};
  for (auto [bit, name] : kKinds)
    if (host_ns & bit) out.push_back(name);
  return out;
}

std::string capability_name(int cap) {
  if (cap >= 0 && static_cast<std::size_t>(cap) < std::size(kCaps)) return std::string("CAP_") + kCaps[cap];
  return "CAP_" + std::to_string(cap);
}

std::optional<json> decode_priv_record(const void* data, std::size_t size, std::string* why) {
  event_header h{};
  if (size < sizeof(h)) {
    if (why) *why = "priv record shorter than its header";
    return std::nullopt;
  }
  std::memcpy(&h, data, sizeof(h));
  if (h.type == JT_EV_PRIV_CAPABILITY) {
    priv_cap_event e{};
    if (size < sizeof(e)) {
      if (why) *why = "capability record too short";
      return std::nullopt;
    }
    std::memcpy(&e, data, sizeof(e));
    json j = header_json(h, events::type_name::capability);
    j["capability"] = {{"name", capability_name(e.cap)}, {"cap", e.cap}, {"granted", e.ret == 0}, {"count", 1}};
    return j;
  }
  if (h.type != JT_EV_PRIV_SYSCALL) {
    if (why) *why = "unknown priv record type " + std::to_string(h.type);
    return std::nullopt;
  }
  auto e = std::make_unique<priv_event>();
  if (size < sizeof(*e)) {
    if (why) *why = "priv record too short";
    return std::nullopt;
  }
  std::memcpy(e.get(), data, sizeof(*e));
  if (e->syscall == 0 || e->syscall >= JT_PRIV_SYSCALL_MAX) {
    if (why) *why = "unknown priv syscall " + std::to_string(e->syscall);
    return std::nullopt;
  }
  json j = header_json(h, events::type_name::priv_syscall);
  json p;
  p["syscall"] = kSyscalls[e->syscall];
  p["args"] = args_json(*e);
  // most return 0 on success; those returning a value (fds, ids) keep the number
  const bool returns_value = e->syscall == JT_PRIV_BPF || e->syscall == JT_PRIV_PERF_EVENT_OPEN ||
                             e->syscall == JT_PRIV_PROCESS_VM_READV || e->syscall == JT_PRIV_PROCESS_VM_WRITEV ||
                             e->syscall == JT_PRIV_SETFSUID || e->syscall == JT_PRIV_SETFSGID ||
                             e->syscall == JT_PRIV_OPEN_PROC_MEM || e->syscall == JT_PRIV_OPEN_PROC_ENVIRON;
  if (e->ret < 0) p["result"] = errno_name(static_cast<int>(e->ret));
  else if (returns_value) p["result"] = e->ret;
  else p["result"] = "ok";
  j["priv"] = std::move(p);
  return j;
}

std::optional<json> proc_access_event(const json& ev) {
  const json& f = ev.value("file", json::object());
  const std::string path = f.value("path", std::string());
  // "/proc/<pid>/mem" or "/proc/<pid>/environ", parsed by hand: the job writes the digits
  // (20 of them do not fit a pid), so nothing here may throw or recurse over the text.
  constexpr std::string_view kPrefix = "/proc/";
  std::string_view rest(path);
  if (rest.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  rest.remove_prefix(kPrefix.size());
  const auto slash = rest.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const std::string_view file = rest.substr(slash + 1);
  if (file != "mem" && file != "environ") return std::nullopt;
  const auto target = parse_decimal<std::uint32_t>(rest.substr(0, slash));
  if (!target) return std::nullopt;  // not a pid the kernel can have: the open itself is in the trail
  const json& process = ev.value("process", json::object());
  if (*target == process.value("pid", 0u)) return std::nullopt;  // its own: not another process
  json j = ev;
  j["type"] = events::type_name::priv_syscall;
  j.erase("file");
  j["priv"] = {{"syscall", "open_proc_" + std::string(file)},
               {"args", {{"path", path}, {"target_pid", *target}, {"mode", f.value("mode", json::array())}}},
               {"result", f.value("result", std::string())}};
  return j;
}

}  // namespace jobtrail::events
