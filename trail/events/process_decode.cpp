#include "trail/events/process_decode.hpp"

#include <cstring>
#include <string.h>

#include "bpf/events/process.h"
#include "trail/events/net_decode.hpp"
#include "trail/events/types.hpp"

namespace jobtrail::events {

std::vector<std::string> split_nul(std::string_view block) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < block.size()) {
    std::size_t end = block.find('\0', pos);
    if (end == std::string_view::npos) end = block.size();
    out.emplace_back(block.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

nlohmann::json exit_status_json(std::uint32_t status) {
  nlohmann::json j;
  const unsigned sig = status & 0x7f;
  if (sig == 0) {
    j["code"] = (status >> 8) & 0xff;
    j["signal"] = nullptr;
  } else {
    j["code"] = nullptr;
    j["signal"] = sig;
    const char* abbrev = sigabbrev_np(static_cast<int>(sig));
    j["signal_name"] = abbrev ? abbrev : std::to_string(sig);
    j["core_dumped"] = (status & 0x80) != 0;
  }
  return j;
}

nlohmann::json env_entries_json(const std::vector<std::string>& entries) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& e : entries) {
    auto eq = e.find('=');
    if (eq == std::string::npos) continue;
    j[e.substr(0, eq)] = e.substr(eq + 1);
  }
  return j;
}

namespace {

std::string first_string(std::string_view block) {
  auto end = block.find('\0');
  return std::string(block.substr(0, end == std::string_view::npos ? block.size() : end));
}

template <typename T>
bool read_struct(const void* data, std::size_t size, T& out, std::string* why) {
  if (size < sizeof(T)) {
    if (why) *why = "record of " + std::to_string(size) + " bytes is shorter than its struct (" +
                    std::to_string(sizeof(T)) + ")";
    return false;
  }
  std::memcpy(&out, data, sizeof(T));
  return true;
}

// One stdio side of an exec: {pipe, inode}, plus `socket: true` and, for an inet socket, its
// connection in the net family's field names (the join with net_connect/net_accept), and
// `tty: true` for a terminal.
// Its fields are added in key order, each at the end of the object, as in decode_exec.
nlohmann::json stdio_json(bool pipe, std::uint64_t inode, bool socket, const jt_flow& flow, bool tty) {
  nlohmann::json s = nlohmann::json::object();
  auto& o = s.get_ref<nlohmann::json::object_t&>();
  o.emplace_hint(o.end(), "inode", inode);
  if (socket && (flow.family == JT_AF_INET || flow.family == JT_AF_INET6))
    o.emplace_hint(o.end(), "net",
                   nlohmann::json{{"protocol", flow.protocol == JT_PROTO_UDP ? "udp" : "tcp"},
                                  {"family", flow.family == JT_AF_INET6 ? "ipv6" : "ipv4"},
                                  {"src_addr", address_text(flow.src, flow.family)}, {"src_port", flow.src_port},
                                  {"dst_addr", address_text(flow.dst, flow.family)}, {"dst_port", flow.dst_port}});
  o.emplace_hint(o.end(), "pipe", pipe);
  if (socket) o.emplace_hint(o.end(), "socket", true);
  if (tty) o.emplace_hint(o.end(), "tty", true);
  return s;
}

nlohmann::json decode_exec(const process_exec_event& e, std::string_view data) {
  std::size_t off = 0;
  auto take = [&](std::size_t n) {
    auto part = data.substr(off, n);
    off += n;
    return part;
  };
  auto binary = first_string(take(e.binary_len));
  auto cwd = first_string(take(e.cwd_len));
  const auto env = split_nul(take(e.env_len));
  auto args_block = take(e.args_len);
  const bool args_truncated = (e.flags & JT_EXEC_ARGS_TRUNCATED) != 0;
  // A complete argv ends with NUL; split_nul keeps a cut last argument as it is.
  auto args = split_nul(args_block);

  // Fields are added in key order, each at the end of its object (a std::map): no key compares
  // on the path every exec takes. Out of order would still be right, only slower.
  nlohmann::json p = nlohmann::json::object();
  auto& pf = p.get_ref<nlohmann::json::object_t&>();
  auto add = [](nlohmann::json::object_t& o, const char* key, nlohmann::json v) { o.emplace_hint(o.end(), key, std::move(v)); };
  add(pf, "args", std::move(args));
  add(pf, "args_truncated", args_truncated);
  if (e.flags & JT_EXEC_ARGS_UNREADABLE) add(pf, "args_unreadable", true);
  add(pf, "binary", std::move(binary));
  if (e.flags & JT_EXEC_BINARY_TRUNCATED) add(pf, "binary_truncated", true);
  add(pf, "cgroup_id", e.hdr.cgroup_id);
  add(pf, "cwd", std::move(cwd));
  if (e.flags & JT_EXEC_CWD_TRUNCATED) add(pf, "cwd_truncated", true);
  add(pf, "egid", e.egid);
  add(pf, "euid", e.euid);
  add(pf, "exec_id", e.hdr.exec_id);
  if (e.old_tid != e.hdr.pid) add(pf, "exec_tid", e.old_tid);  // exec from a non-main thread
  add(pf, "gid", e.gid);
  add(pf, "ns_pid", e.ns_pid);
  add(pf, "ns_ppid", e.ns_ppid);
  add(pf, "parent_exec_id", e.parent_exec_id);
  add(pf, "pid", e.hdr.pid);
  add(pf, "ppid", e.ppid);
  add(pf, "tid", e.hdr.tid);
  add(pf, "uid", e.uid);

  nlohmann::json j = nlohmann::json::object();
  auto& jf = j.get_ref<nlohmann::json::object_t&>();
  auto envj = env_entries_json(env);
  if (!envj.empty()) add(jf, "env", std::move(envj));
  if (e.flags & JT_EXEC_ENV_TRUNCATED) add(jf, "env_truncated", true);
  nlohmann::json ns = nlohmann::json::object();
  auto& nf = ns.get_ref<nlohmann::json::object_t&>();
  for (auto [key, kind] : {std::pair{"cgroup", JT_NS_CGROUP}, {"ipc", JT_NS_IPC}, {"mnt", JT_NS_MNT}, {"net", JT_NS_NET},
                           {"pid", JT_NS_PID}, {"user", JT_NS_USER}, {"uts", JT_NS_UTS}})
    add(nf, key, e.ns_inum[kind]);
  add(jf, "namespaces", std::move(ns));
  add(jf, "process", std::move(p));
  nlohmann::json stdio = nlohmann::json::object();
  auto& sf = stdio.get_ref<nlohmann::json::object_t&>();
  add(sf, "stdin", stdio_json((e.flags & JT_EXEC_STDIN_PIPE) != 0, e.stdin_ino, (e.flags & JT_EXEC_STDIN_SOCKET) != 0,
                              e.stdin_flow, (e.flags & JT_EXEC_STDIN_TTY) != 0));
  add(sf, "stdout", stdio_json((e.flags & JT_EXEC_STDOUT_PIPE) != 0, e.stdout_ino, (e.flags & JT_EXEC_STDOUT_SOCKET) != 0,
                               e.stdout_flow, false));
  add(jf, "stdio", std::move(stdio));
  add(jf, "type", type_name::process_exec);
  return j;
}

}  // namespace

std::optional<nlohmann::json> decode_process_record(const void* data, std::size_t size, std::string* why) {
  event_header h{};
  if (!read_struct(data, size, h, why)) return std::nullopt;
  if (h.size > size) {
    if (why) *why = "header says " + std::to_string(h.size) + " bytes, got " + std::to_string(size);
    return std::nullopt;
  }
  const auto* bytes = static_cast<const char*>(data);
  nlohmann::json j;
  if (h.type == JT_EV_PROCESS_EXEC) {
    process_exec_event e{};
    if (!read_struct(data, h.size, e, why)) return std::nullopt;
    const std::size_t var = std::size_t{e.binary_len} + e.cwd_len + e.env_len + e.args_len;
    if (sizeof(e) + var > h.size) {
      if (why) *why = "exec record parts (" + std::to_string(var) + " bytes) exceed its size";
      return std::nullopt;
    }
    j = decode_exec(e, std::string_view(bytes + sizeof(e), var));
  } else if (h.type == JT_EV_PROCESS_EXIT) {
    process_exit_event e{};
    if (!read_struct(data, h.size, e, why)) return std::nullopt;
    auto status = exit_status_json(e.exit_code);
    status["duration_ns"] = e.duration_ns;
    nlohmann::json p = nlohmann::json::object();
    auto& pf = p.get_ref<nlohmann::json::object_t&>();
    for (auto [key, value] : {std::pair<const char*, std::uint64_t>{"cgroup_id", e.hdr.cgroup_id}, {"exec_id", e.hdr.exec_id},
                              {"pid", e.hdr.pid}, {"ppid", e.ppid}, {"tid", e.hdr.tid}})
      pf.emplace_hint(pf.end(), key, value);  // in key order: no compares
    j = nlohmann::json::object();
    auto& jf = j.get_ref<nlohmann::json::object_t&>();
    jf.emplace_hint(jf.end(), "exit", std::move(status));
    jf.emplace_hint(jf.end(), "process", std::move(p));
    jf.emplace_hint(jf.end(), "type", type_name::process_exit);
  } else {
    if (why) *why = "unknown process record type " + std::to_string(h.type);
    return std::nullopt;
  }
  j["ktime_ns"] = h.ktime_ns;
  return j;
}

}  // namespace jobtrail::events
