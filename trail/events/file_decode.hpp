#pragma once
// Pure decoding of the file family's raw records (bpf/events/file.h) and the folding of
// opens (docs/schema.md, "Files"). No I/O.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

namespace jobtrail::events {

// Joins a relative path to its base directory and resolves "." and ".." lexically:
// ("/a/b", "../c/./d") -> "/a/c/d". An absolute path is only normalised.
std::string join_path(const std::string& base, const std::string& path);

// O_* flags -> ["read","write","create","truncate","append","directory"].
nlohmann::json open_mode(std::uint64_t flags);

// Raw record -> JSON (without seq/time; ktime_ns kept). Types: file_open (with the internal
// file_id of the description a successful open created), file_change, and the internal
// "file_close" (one description's totals at its release: file_id, open_exec_id, open_pid, open_fd,
// bytes_read, bytes_written, writers [{exec_id, bytes_written}], writers_cut, release_unseen) and
// "file_exit" records the folder consumes. nullopt + *why when malformed.
std::optional<nlohmann::json> decode_file_record(const void* data, std::size_t size, std::string* why);

// Turns decoded records into trail events according to the files mode. Byte totals belong to
// the open file description a successful open created, whatever fd and process moved the bytes,
// and arrive when its last reference is released (file_close).
//  all:    file_open as it comes (with fd); file_io at each description's release.
//  folded: one file_open per (exec_id, path, mode, result) with count, byte totals and the execs
//          that wrote (writers), released when the last process of the exec that did file work
//          has exited and every description its opens created is released, or by flush().
//  Either mode: an open of a runner command file (runner_command_files.hpp) is never folded: one
//  file_open per open, with command_file, its byte totals and writers, at the release.
class FileFolder {
 public:
  // max_bytes bounds what the pending folds hold (paths are the job's choice, up to 4 KiB each):
  // past it this exec's folds are released early, then every fold (never dropped).
  explicit FileFolder(bool folded, std::size_t max_pending = 200000,
                      std::size_t max_bytes = std::numeric_limits<std::size_t>::max())
      : folded_(folded), max_pending_(max_pending), max_bytes_(max_bytes) {}
  // ktime_to_rfc3339 converts a record's ktime_ns to schema text (first_time/last_time).
  std::vector<nlohmann::json> add(nlohmann::json record, const std::function<std::string(std::int64_t)>& time_text);
  std::vector<nlohmann::json> flush();  // everything pending (end of the trail)
  std::size_t pending() const { return folds_.size(); }
  std::size_t bytes() const { return bytes_; }
  void set_max_bytes(std::size_t max_bytes) { max_bytes_ = max_bytes; }
  std::uint64_t released_early() const { return released_early_; }  // folds written before their exec ended

 private:
  using FoldKey = std::tuple<std::uint64_t, std::string, std::string, std::string>;  // exec, path, mode, result
  struct Fold {
    nlohmann::json event;  // first record, updated
    std::uint64_t count = 0, bytes_read = 0, bytes_written = 0;
    std::map<std::uint64_t, std::uint64_t> writers;  // exec_id -> bytes written
    std::size_t live = 0;    // descriptions its opens created, not released yet
    bool exec_ended = false;  // released when live reaches 0
    std::size_t held_bytes = 0;  // accounted in bytes_
  };
  struct OpenFile {
    FoldKey key;             // the fold of the open that created the description
    nlohmann::json event;    // all mode or a command file: the file_open, for the record at release
    std::string command_file;  // runner_command_file() of the path, "" for other files
    std::size_t held_bytes = 0;
  };
  std::vector<nlohmann::json> release_exec(std::uint64_t exec_id, bool force);
  std::vector<nlohmann::json> flush_folds();
  void on_release(const nlohmann::json& r, std::vector<nlohmann::json>& out);
  void forget_file(std::map<std::uint64_t, OpenFile>::iterator it, std::vector<nlohmann::json>& out);
  nlohmann::json finish(Fold& f);

  bool folded_;
  std::size_t max_pending_, max_bytes_;
  std::size_t bytes_ = 0;
  std::uint64_t released_early_ = 0;
  std::map<FoldKey, Fold> folds_;
  std::map<std::uint64_t, OpenFile> files_;                             // file_id -> its open
  std::map<std::uint64_t, std::map<std::uint32_t, int>> exec_pids_;      // exec -> pids doing file work
};

}  // namespace jobtrail::events
