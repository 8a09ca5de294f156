#pragma once
// Small read-only accessors over event JSON, tolerant of missing or mistyped fields
// (a malformed event yields empty values, never an exception).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace jobtrail::findings {

using nlohmann::json;

std::string type_of(const json& ev);
std::uint64_t seq_of(const json& ev);          // 0 when absent
std::uint64_t exec_id_of(const json& ev);      // process.exec_id, 0 when absent
std::uint64_t parent_exec_id_of(const json& ev);
std::int64_t pid_of(const json& ev);           // process.pid, -1 when absent
std::int64_t ns_pid_of(const json& ev);        // process.ns_pid, -1 when absent
std::string binary_of(const json& ev);         // process.binary
std::vector<std::string> args_of(const json& ev);  // process.args (non-strings skipped)
std::string basename_of(const std::string& path);

// The names a process answers to: basename of its binary and of argv[0] (a symlink named
// `docker` to another binary, a busybox applet), without a leading '-' (login shells).
std::vector<std::string> program_names(const json& ev);
bool is_program(const json& ev, std::initializer_list<const char*> names);

// `obj[key]` as a string ("" unless a string); numbers are printed.
std::string str_at(const json& obj, const char* key);
// The family object of an event (ev[key]) or an empty object.
const json& family(const json& ev, const char* key);

// Program families shared by several rules.
bool is_shell_like(const std::string& name);   // sh, bash, python3, perl, node, ...
bool is_downloader(const std::string& name);   // curl, wget

// "/a/b/../c" relative to cwd -> "/a/c" (lexical; no file system access).
std::string absolute_path(const std::string& path, const std::string& cwd);

// While one lives (on this thread), type_of, exec_id_of, args_of, program_names and tool_names of `ev`
// are computed once and then answered from it: the engine's rules each ask them of the same
// event (nearly every rule of every process_exec). The event must not change meanwhile; the
// accessors of any other event work as without it.
class EventMemo {
 public:
  explicit EventMemo(const json& ev);
  ~EventMemo();
  EventMemo(const EventMemo&) = delete;
  EventMemo& operator=(const EventMemo&) = delete;
  // The memo of `ev`, or nullptr when none lives.
  static EventMemo* of(const json& ev);

  std::optional<std::string> type;
  std::optional<std::uint64_t> exec_id;
  std::optional<std::vector<std::string>> args, program_names, tool_names;

 private:
  const json* event_;
  EventMemo* outer_;
};

}  // namespace jobtrail::findings
