#include "trail/events/process_decode.hpp"

#include <cstring>
#include <string.h>

#include "bpf/events/process.h"
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

nlohmann::json decode_exec(const process_exec_event& e, std::string_view data) {
  std::size_t off = 0;
  auto take = [&](std::size_t n) {
    auto part = data.substr(off, n);
    off += n;
    return part;
  };
  const auto binary = first_string(take(e.binary_len));
  const auto cwd = first_string(take(e.cwd_len));
  const auto env = split_nul(take(e.env_len));
  auto args_block = take(e.args_len);
  const bool args_truncated = (e.flags & JT_EXEC_ARGS_TRUNCATED) != 0;
  // A complete argv ends with NUL; split_nul keeps a cut last argument as it is.
  auto args = split_nul(args_block);

  nlohmann::json p;
  p["pid"] = e.hdr.pid;
  p["tid"] = e.hdr.tid;
  p["ppid"] = e.ppid;
  p["ns_pid"] = e.ns_pid;
  p["ns_ppid"] = e.ns_ppid;
  p["uid"] = e.uid;
  p["gid"] = e.gid;
  p["euid"] = e.euid;
  p["egid"] = e.egid;
  p["binary"] = binary;
  p["args"] = args;
  p["args_truncated"] = args_truncated;
  if (e.flags & JT_EXEC_ARGS_UNREADABLE) p["args_unreadable"] = true;
  p["cwd"] = cwd;
  if (e.flags & JT_EXEC_CWD_TRUNCATED) p["cwd_truncated"] = true;
  if (e.flags & JT_EXEC_BINARY_TRUNCATED) p["binary_truncated"] = true;
  p["exec_id"] = e.hdr.exec_id;
  p["parent_exec_id"] = e.parent_exec_id;
  p["cgroup_id"] = e.hdr.cgroup_id;
  if (e.old_tid != e.hdr.pid) p["exec_tid"] = e.old_tid;  // exec from a non-main thread

  nlohmann::json j;
  j["type"] = events::type_name::process_exec;
  j["process"] = std::move(p);
  j["stdio"] = {{"stdin", {{"pipe", (e.flags & JT_EXEC_STDIN_PIPE) != 0}, {"inode", e.stdin_ino}}},
                {"stdout", {{"pipe", (e.flags & JT_EXEC_STDOUT_PIPE) != 0}, {"inode", e.stdout_ino}}}};
  j["namespaces"] = {{"mnt", e.ns_inum[JT_NS_MNT]}, {"pid", e.ns_inum[JT_NS_PID]},
                     {"net", e.ns_inum[JT_NS_NET]}, {"uts", e.ns_inum[JT_NS_UTS]},
                     {"ipc", e.ns_inum[JT_NS_IPC]}, {"user", e.ns_inum[JT_NS_USER]},
                     {"cgroup", e.ns_inum[JT_NS_CGROUP]}};
  auto envj = env_entries_json(env);
  if (!envj.empty()) j["env"] = std::move(envj);
  if (e.flags & JT_EXEC_ENV_TRUNCATED) j["env_truncated"] = true;
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
    j["type"] = events::type_name::process_exit;
    j["process"] = {{"pid", e.hdr.pid}, {"tid", e.hdr.tid}, {"ppid", e.ppid}, {"exec_id", e.hdr.exec_id},
                    {"cgroup_id", e.hdr.cgroup_id}};
    j["exit"] = exit_status_json(e.exit_code);
    j["exit"]["duration_ns"] = e.duration_ns;
  } else {
    if (why) *why = "unknown process record type " + std::to_string(h.type);
    return std::nullopt;
  }
  j["ktime_ns"] = h.ktime_ns;
  return j;
}

}  // namespace jobtrail::events
