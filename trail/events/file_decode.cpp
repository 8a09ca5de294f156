#include "trail/events/file_decode.hpp"

#include <fcntl.h>

#include <cstring>
#include <string_view>

#include "bpf/events/file.h"
#include "trail/events/json_bytes.hpp"
#include "trail/events/record_common.hpp"
#include "trail/events/runner_command_files.hpp"
#include "trail/events/types.hpp"

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
  if (h.type == JT_EV_FILE_EXIT) return header_json(h, type_name::file_exit);
  if (h.type == JT_EV_FILE_CLOSE) {
    file_close_event e{};
    if (size < sizeof(e)) {
      if (why) *why = "file close record too short";
      return std::nullopt;
    }
    std::memcpy(&e, data, sizeof(e));
    json j = header_json(h, type_name::file_close);
    json writers = json::array();
    for (const auto& w : e.t.by_exec)
      if (w.exec_id) writers.push_back({{"exec_id", w.exec_id}, {"bytes_written", w.bytes_written}});
    j["file"] = {{"file_id", e.t.file_id},          {"open_exec_id", e.t.open_exec_id},
                 {"open_pid", e.t.open_pid},        {"open_fd", e.t.open_fd},
                 {"bytes_read", e.t.bytes_read},    {"bytes_written", e.t.bytes_written},
                 {"writers", std::move(writers)},
                 {"writers_cut", (e.t.flags & JT_FILE_IO_WRITERS_CUT) != 0},
                 {"release_unseen", (e.t.flags & JT_FILE_IO_RELEASE_UNSEEN) != 0}};
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
  json j = header_json(h, open ? type_name::file_open : type_name::file_change);
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
    if (e.ret >= 0 && e.file_id) f["file_id"] = e.file_id;
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

namespace {
// What the trail says of a description's totals at its release (file_io, or a fold's fields).
void put_totals(json& f, const json& totals) {
  f["bytes_read"] = totals.value("bytes_read", std::uint64_t{0});
  f["bytes_written"] = totals.value("bytes_written", std::uint64_t{0});
  if (totals.contains("writers") && !totals["writers"].empty()) f["writers"] = totals["writers"];
  if (totals.value("writers_cut", false)) f["writers_cut"] = true;
  if (totals.value("release_unseen", false)) f["release_unseen"] = true;
}

// An OpenFile's share of the budget: the map node, its key copy and the held event.
std::size_t open_file_bytes(const std::string& path, const json& event) {
  return 200 + 2 * path.size() + (event.is_null() ? 0 : json_bytes(event));
}
}  // namespace

std::vector<json> FileFolder::add(json r, const std::function<std::string(std::int64_t)>& time_text) {
  std::vector<json> out;
  const std::string type = r.value("type", std::string());
  const auto exec_id = r["process"].value("exec_id", std::uint64_t{0});
  const auto pid = r["process"].value("pid", std::uint32_t{0});
  if (type == type_name::file_change) {
    out.push_back(std::move(r));
    return out;
  }
  if (type == type_name::file_exit) {
    auto it = exec_pids_.find(exec_id);
    if (it != exec_pids_.end()) {
      it->second.erase(pid);
      if (it->second.empty()) {
        exec_pids_.erase(it);
        if (folded_) return release_exec(exec_id, false);
      }
    }
    return out;
  }
  if (type == type_name::file_close) {
    on_release(r, out);
    return out;
  }
  // file_open
  exec_pids_[exec_id][pid] = 1;
  json& f = r["file"];
  const std::uint64_t file_id = f.value("file_id", std::uint64_t{0});
  f.erase("file_id");  // a kernel address: the join key stays in the sidecar
  FoldKey key{exec_id, f.value("path", std::string()), f["mode"].dump(), f.value("result", std::string())};
  const std::string command = runner_command_file(std::get<1>(key));
  if (!command.empty()) f["command_file"] = command;
  if (file_id) {
    if (auto old = files_.find(file_id); old != files_.end()) forget_file(old, out);  // its release was lost
    OpenFile of{key, (folded_ && !command.empty()) ? r : json(), command, 0};
    of.held_bytes = open_file_bytes(std::get<1>(key), of.event);
    bytes_ += of.held_bytes;
    files_.emplace(file_id, std::move(of));
  }
  if (!folded_) {
    f["count"] = 1;
    out.push_back(std::move(r));
    return out;
  }
  if (!command.empty()) {  // never folded: written at its release, with the byte totals
    if (!file_id) {        // a failed open: nothing to wait for
      f["count"] = 1;
      out.push_back(std::move(r));
    }
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
  if (file_id) fold.live += 1;
  if (folds_.size() > max_pending_ || bytes_ > max_bytes_) {  // bound memory: release early (never drop)
    const auto before = folds_.size();
    auto released = release_exec(exec_id, true);
    if (bytes_ > max_bytes_) {  // other execs hold the bytes: they go too
      auto rest = flush_folds();
      released.insert(released.end(), std::make_move_iterator(rest.begin()), std::make_move_iterator(rest.end()));
    }
    released_early_ += before - folds_.size();
    out.insert(out.end(), std::make_move_iterator(released.begin()), std::make_move_iterator(released.end()));
  }
  return out;
}

void FileFolder::on_release(const json& r, std::vector<json>& out) {
  const json& totals = r["file"];
  auto it = files_.find(totals.value("file_id", std::uint64_t{0}));
  if (it == files_.end()) return;  // its open was lost, or the description was never counted
  OpenFile& of = it->second;
  Fold* fold = nullptr;
  if (folded_ && of.command_file.empty())
    if (auto fit = folds_.find(of.key); fit != folds_.end()) fold = &fit->second;
  if (fold) {
    fold->bytes_read += totals.value("bytes_read", std::uint64_t{0});
    fold->bytes_written += totals.value("bytes_written", std::uint64_t{0});
    if (totals.contains("writers"))
      for (const auto& w : totals["writers"])
        fold->writers[w.value("exec_id", std::uint64_t{0})] += w.value("bytes_written", std::uint64_t{0});
    if (totals.value("writers_cut", false)) fold->event["file"]["writers_cut"] = true;
    if (totals.value("release_unseen", false)) fold->event["file"]["release_unseen"] = true;
  } else if (folded_ && !of.command_file.empty()) {  // the command file's own record
    json e = std::move(of.event);
    e["file"].erase("fd");
    e["file"]["count"] = 1;
    put_totals(e["file"], totals);
    out.push_back(std::move(e));
  } else {  // all mode, or a fold written early to stay in the budget: the totals on their own
    json io = r;
    io["type"] = type_name::file_io;
    io["file"] = {{"path", std::get<1>(of.key)}, {"fd", totals.value("open_fd", -1)},
                  {"open_exec_id", totals.value("open_exec_id", std::uint64_t{0})}};
    if (!of.command_file.empty()) io["file"]["command_file"] = of.command_file;
    put_totals(io["file"], totals);
    out.push_back(std::move(io));
  }
  forget_file(it, out);
}

void FileFolder::forget_file(std::map<std::uint64_t, OpenFile>::iterator it, std::vector<json>& out) {
  bytes_ -= it->second.held_bytes;
  if (folded_)
    if (auto fit = folds_.find(it->second.key); fit != folds_.end() && fit->second.live > 0) {
      Fold& fold = fit->second;
      fold.live -= 1;
      if (fold.live == 0 && fold.exec_ended) {
        bytes_ -= fold.held_bytes;
        out.push_back(finish(fold));
        folds_.erase(fit);
      }
    }
  files_.erase(it);
}

json FileFolder::finish(Fold& f) {
  json e = std::move(f.event);
  e["file"]["count"] = f.count;
  e["file"]["bytes_read"] = f.bytes_read;
  e["file"]["bytes_written"] = f.bytes_written;
  if (!f.writers.empty()) {
    json w = json::array();
    for (const auto& [exec, bytes] : f.writers) w.push_back({{"exec_id", exec}, {"bytes_written", bytes}});
    e["file"]["writers"] = std::move(w);
  }
  return e;
}

// Folds of an exec that has ended: written now unless a description they created is still
// referenced (then at its release); force writes them all (the budget).
std::vector<json> FileFolder::release_exec(std::uint64_t exec_id, bool force) {
  std::vector<json> out;
  auto it = folds_.lower_bound(FoldKey{exec_id, "", "", ""});
  while (it != folds_.end() && std::get<0>(it->first) == exec_id) {
    if (it->second.live > 0 && !force) {
      it->second.exec_ended = true;
      ++it;
      continue;
    }
    bytes_ -= it->second.held_bytes;
    out.push_back(finish(it->second));
    it = folds_.erase(it);
  }
  return out;
}

std::vector<json> FileFolder::flush_folds() {
  std::vector<json> out;
  for (auto& [k, f] : folds_) {
    bytes_ -= f.held_bytes;
    out.push_back(finish(f));
  }
  folds_.clear();
  return out;
}

std::vector<json> FileFolder::flush() {
  std::vector<json> out = flush_folds();
  // Command files whose release never came: the fact of the open, without byte totals.
  for (auto& [id, of] : files_)
    if (folded_ && !of.command_file.empty() && !of.event.is_null()) {
      json e = std::move(of.event);
      e["file"].erase("fd");
      e["file"]["count"] = 1;
      e["file"]["release_unseen"] = true;
      out.push_back(std::move(e));
    }
  files_.clear();
  bytes_ = 0;
  return out;
}

}  // namespace jobtrail::events
