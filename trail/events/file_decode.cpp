#include "trail/events/file_decode.hpp"

#include <fcntl.h>

#include <cstring>
#include <string_view>

#include "bpf/events/file.h"
#include "trail/events/json_bytes.hpp"
#include "trail/events/record_common.hpp"

namespace jobtrail::events {
namespace {

using nlohmann::json;

const char* syscall_name(unsigned s) {
  switch (s) {
    case JT_SYS_OPEN: return "open";
    case JT_SYS_OPENAT: return "openat";
    case JT_SYS_OPENAT2: return "openat2";
    case JT_SYS_CREAT: return "creat";
    case JT_SYS_UNLINK: return "unlink";
    case JT_SYS_UNLINKAT: return "unlinkat";
    case JT_SYS_RMDIR: return "rmdir";
    case JT_SYS_RENAME: return "rename";
    case JT_SYS_RENAMEAT: return "renameat";
    case JT_SYS_RENAMEAT2: return "renameat2";
    case JT_SYS_CHMOD: return "chmod";
    case JT_SYS_FCHMODAT: return "fchmodat";
    case JT_SYS_CHOWN: return "chown";
    case JT_SYS_LCHOWN: return "lchown";
    case JT_SYS_FCHOWNAT: return "fchownat";
    case JT_SYS_SYMLINK: return "symlink";
    case JT_SYS_SYMLINKAT: return "symlinkat";
    case JT_SYS_LINK: return "link";
    case JT_SYS_LINKAT: return "linkat";
  }
  return "unknown";
}

// The schema's `op` for a change syscall.
std::string change_op(unsigned s, std::uint64_t flags) {
  switch (s) {
    case JT_SYS_UNLINKAT: return (flags & AT_REMOVEDIR) ? "rmdir" : "unlink";
    case JT_SYS_RENAMEAT: case JT_SYS_RENAMEAT2: return "rename";
    case JT_SYS_FCHMODAT: return "chmod";
    case JT_SYS_LCHOWN: case JT_SYS_FCHOWNAT: return "chown";
    case JT_SYS_SYMLINKAT: return "symlink";
    case JT_SYS_LINKAT: return "link";
  }
  return syscall_name(s);
}

// Takes the next NUL-terminated string of `len` bytes (0 = absent) from the data block.
std::string take(std::string_view& block, unsigned len) {
  len = std::min<std::size_t>(len, block.size());
  std::string_view s = block.substr(0, len);
  block.remove_prefix(len);
  if (!s.empty() && s.back() == '\0') s.remove_suffix(1);
  return std::string(s);
}

}  // namespace

std::string join_path(const std::string& base, const std::string& path) {
  std::string full = (!path.empty() && path[0] == '/') || base.empty() ? path : base + "/" + path;
  std::vector<std::string_view> parts;
  std::string_view rest(full);
  while (!rest.empty()) {
    auto slash = rest.find('/');
    auto part = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  if (full.empty() || full[0] != '/') {  // no base known: keep it relative, as given
    std::string out;
    for (auto p : parts) out += (out.empty() ? "" : "/") + std::string(p);
    return out.empty() ? "." : out;
  }
  std::string out;
  for (auto p : parts) out += "/" + std::string(p);
  return out.empty() ? "/" : out;
}

json open_mode(std::uint64_t flags) {
  json m = json::array();
  const auto acc = flags & O_ACCMODE;
  if (acc == O_RDONLY || acc == O_RDWR) m.push_back("read");
  if (acc == O_WRONLY || acc == O_RDWR) m.push_back("write");
  if (flags & O_CREAT) m.push_back("create");
  if (flags & O_TRUNC) m.push_back("truncate");
  if (flags & O_APPEND) m.push_back("append");
  if (flags & O_DIRECTORY) m.push_back("directory");
  return m;
}

std::optional<json> decode_file_record(const void* data, std::size_t size, std::string* why) {
  event_header h{};
  if (size < sizeof(h)) {
    if (why) *why = "file record shorter than its header";
    return std::nullopt;
  }
  std::memcpy(&h, data, sizeof(h));
  if (h.type == JT_EV_FILE_EXIT) return header_json(h, "file_exit");
  if (h.type == JT_EV_FILE_CLOSE) {
    file_close_event e{};
    if (size < sizeof(e)) {
      if (why) *why = "file close record too short";
      return std::nullopt;
    }
    std::memcpy(&e, data, sizeof(e));
    json j = header_json(h, "file_close");
    j["file"] = {{"fd", e.fd}, {"bytes_read", e.bytes_read}, {"bytes_written", e.bytes_written}};
    return j;
  }
  if (h.type != JT_EV_FILE_OPEN && h.type != JT_EV_FILE_CHANGE) {
    if (why) *why = "unknown file record type " + std::to_string(h.type);
    return std::nullopt;
  }
  file_event e{};
  if (size < sizeof(e)) {
    if (why) *why = "file record too short";
    return std::nullopt;
  }
  std::memcpy(&e, data, sizeof(e));
  std::string_view block(static_cast<const char*>(data) + sizeof(e), size - sizeof(e));
  const std::string path1 = take(block, e.path1_len), dir1 = take(block, e.dir1_len);
  const std::string path2 = take(block, e.path2_len), dir2 = take(block, e.dir2_len);
  json f;
  const bool open = h.type == JT_EV_FILE_OPEN;
  json j = header_json(h, open ? "file_open" : "file_change");
  const bool symlink = e.syscall == JT_SYS_SYMLINK || e.syscall == JT_SYS_SYMLINKAT;
  f["path"] = join_path(dir1, path1);
  f["syscall"] = syscall_name(e.syscall);
  f["result"] = result_text(e.ret);
  if (e.flags & (JT_FILE_PATH1_TRUNCATED | JT_FILE_DIR1_TRUNCATED | JT_FILE_PATH2_TRUNCATED | JT_FILE_DIR2_TRUNCATED))
    f["path_truncated"] = true;
  if (e.flags & JT_FILE_UNREADABLE) f["path_unreadable"] = true;
  if (open) {
    f["mode"] = open_mode(e.open_flags);
    if (e.ret >= 0) f["fd"] = e.ret;
    if (e.open_flags & O_CREAT) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "%04o", e.mode & 07777);
      f["create_mode"] = buf;
    }
  } else {
    f["op"] = change_op(e.syscall, e.open_flags);
    if (symlink) f["target"] = path2;  // the link's content, as given
    else if (e.path2_len) f["new_path"] = join_path(dir2, path2);
    if (e.syscall == JT_SYS_CHMOD || e.syscall == JT_SYS_FCHMODAT) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "%04o", e.mode & 07777);
      f["mode_bits"] = buf;
    }
    if (e.syscall == JT_SYS_CHOWN || e.syscall == JT_SYS_LCHOWN || e.syscall == JT_SYS_FCHOWNAT)
      f["owner"] = {{"uid", static_cast<std::int32_t>(e.uid)}, {"gid", static_cast<std::int32_t>(e.gid)}};
  }
  j["file"] = std::move(f);
  return j;
}

std::vector<json> FileFolder::add(json r, const std::function<std::string(std::int64_t)>& time_text) {
  std::vector<json> out;
  const std::string type = r.value("type", std::string());
  const auto exec_id = r["process"].value("exec_id", std::uint64_t{0});
  const auto pid = r["process"].value("pid", std::uint32_t{0});
  if (type == "file_change") {
    out.push_back(std::move(r));
    return out;
  }
  if (type == "file_exit") {
    auto it = exec_pids_.find(exec_id);
    if (it != exec_pids_.end()) {
      it->second.erase(pid);
      if (it->second.empty()) {
        exec_pids_.erase(it);
        if (folded_) return release_exec(exec_id);
      }
    }
    return out;
  }
  if (type == "file_close") {
    auto it = fds_.find({pid, r["file"].value("fd", -1)});
    if (it == fds_.end()) return out;  // opened before tracing or by another family's fd
    const auto br = r["file"].value("bytes_read", std::uint64_t{0});
    const auto bw = r["file"].value("bytes_written", std::uint64_t{0});
    if (folded_) {
      if (auto f = folds_.find(it->second.key); f != folds_.end()) {
        f->second.bytes_read += br;
        f->second.bytes_written += bw;
      }
    } else {
      json io = r;
      io["type"] = "file_io";
      io["file"] = {{"path", it->second.event["file"]["path"]}, {"fd", r["file"]["fd"]}, {"bytes_read", br},
                    {"bytes_written", bw}};
      out.push_back(std::move(io));
    }
    fds_.erase(it);
    return out;
  }
  // file_open
  exec_pids_[exec_id][pid] = 1;
  const json& f = r["file"];
  FoldKey key{exec_id, f.value("path", std::string()), f["mode"].dump(), f.value("result", std::string())};
  if (f.contains("fd")) fds_[{pid, f["fd"].get<std::int32_t>()}] = OpenFd{key, folded_ ? json() : r};
  if (!folded_) {
    r["file"]["count"] = 1;
    out.push_back(std::move(r));
    return out;
  }
  const std::string t = time_text(r.value("ktime_ns", std::int64_t{0}));
  auto [it, fresh] = folds_.try_emplace(key);
  Fold& fold = it->second;
  if (fresh) {
    fold.event = std::move(r);
    fold.event["file"].erase("fd");
    fold.event["file"]["first_time"] = t;
    // the key's copies of path and mode, the map node, and the event
    fold.held_bytes = json_bytes(fold.event) + std::get<1>(key).size() + std::get<2>(key).size() + 160;
    bytes_ += fold.held_bytes;
  }
  fold.event["file"]["last_time"] = t;
  fold.count += 1;
  if (folds_.size() > max_pending_ || bytes_ > max_bytes_) {  // bound memory: release early (never drop)
    const auto before = folds_.size();
    auto released = release_exec(exec_id);
    if (bytes_ > max_bytes_) {  // other execs hold the bytes: they go too
      auto rest = flush();
      released.insert(released.end(), std::make_move_iterator(rest.begin()), std::make_move_iterator(rest.end()));
    }
    released_early_ += before - folds_.size();
    out.insert(out.end(), std::make_move_iterator(released.begin()), std::make_move_iterator(released.end()));
  }
  return out;
}

json FileFolder::finish(Fold& f) {
  json e = std::move(f.event);
  e["file"]["count"] = f.count;
  e["file"]["bytes_read"] = f.bytes_read;
  e["file"]["bytes_written"] = f.bytes_written;
  return e;
}

std::vector<json> FileFolder::release_exec(std::uint64_t exec_id) {
  std::vector<json> out;
  auto it = folds_.lower_bound(FoldKey{exec_id, "", "", ""});
  while (it != folds_.end() && std::get<0>(it->first) == exec_id) {
    bytes_ -= it->second.held_bytes;
    out.push_back(finish(it->second));
    it = folds_.erase(it);
  }
  return out;
}

std::vector<json> FileFolder::flush() {
  std::vector<json> out;
  for (auto& [k, f] : folds_) out.push_back(finish(f));
  folds_.clear();
  bytes_ = 0;
  return out;
}

}  // namespace jobtrail::events
