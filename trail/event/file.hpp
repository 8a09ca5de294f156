#pragma once
// The `file` object of file_open, file_io and file_change (docs/schema.md, "Files"). Paths hold
// exact bytes. Optional members are the keys only some types or modes write.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace jobtrail::event {

struct FileWriter {
  std::uint64_t exec_id = 0;
  std::uint64_t bytes_written = 0;
  bool operator==(const FileWriter&) const = default;
};

struct FileOwner {
  std::int64_t uid = -1, gid = -1;  // -1 = unchanged
  bool operator==(const FileOwner&) const = default;
};

struct File {
  std::string path;
  std::optional<std::string> result;       // "ok" or errno name
  std::optional<std::string> syscall;      // open: open, openat, openat2, creat
  std::optional<std::vector<std::string>> mode;  // read, write, create, truncate, append, directory
  std::optional<std::int64_t> fd;
  std::optional<std::string> create_mode;  // octal text
  std::optional<std::uint64_t> count, bytes_read, bytes_written, open_exec_id;
  std::optional<std::vector<FileWriter>> writers;
  std::optional<std::string> first_time, last_time, command_file;
  // change
  std::optional<std::string> op, new_path, target, mode_bits;
  std::optional<FileOwner> owner;
  // flags written only when true
  bool path_truncated = false, path_unreadable = false, writers_cut = false, release_unseen = false;
  bool operator==(const File&) const = default;
};

}  // namespace jobtrail::event
