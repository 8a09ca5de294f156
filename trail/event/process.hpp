#pragma once
// The `process` object every event carries (docs/schema.md, `process`), as plain values. The
// process family's decoder fills all of it for an exec; the exec join copies the joined subset
// (binary, args, cwd, ids) into the events of other families; a process_exit has only the ids.
// So a field has a value only when `fields` says the event carried it.
//
// Strings hold the EXACT bytes the job chose (they need not be UTF-8): a reader takes them from
// the `K_b64` sibling when the archive has one, a writer derives the readable form and the sibling
// from them, as the archive writer does for every event (trail/text/exact_bytes.hpp).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace jobtrail::event {

// One bit per member of Process that an event may or may not carry.
enum class ProcessField : std::uint32_t {
  exec_id = 1u << 0,
  parent_exec_id = 1u << 1,
  pid = 1u << 2,
  tid = 1u << 3,
  ppid = 1u << 4,
  ns_pid = 1u << 5,
  ns_ppid = 1u << 6,
  uid = 1u << 7,
  gid = 1u << 8,
  euid = 1u << 9,
  egid = 1u << 10,
  cgroup_id = 1u << 11,
  exec_tid = 1u << 12,
  binary = 1u << 13,
  args = 1u << 14,
  cwd = 1u << 15,
  args_truncated = 1u << 16,
};

// The container an exec ran in: the cgroup directory relative to the pod's (`""` = the pod
// cgroup itself, `"?"` = gone before it was looked up) and the 64-hex container id in it.
// Older archives name it with a plain string instead (`name`; cgroup and id then empty).
struct Container {
  std::string cgroup;
  std::string id;
  std::string name;
  bool operator==(const Container&) const = default;
};

struct Process {
  std::uint64_t exec_id = 0;  // unique per exec within one sidecar run; 0 = exec not seen
  std::uint64_t parent_exec_id = 0;
  std::uint32_t pid = 0, tid = 0, ppid = 0;  // host tgid, thread id, tgid of the real parent
  std::uint32_t ns_pid = 0, ns_ppid = 0;     // seen from the process's own pid namespace
  std::uint32_t uid = 0, gid = 0, euid = 0, egid = 0;
  std::uint64_t cgroup_id = 0;
  std::uint32_t exec_tid = 0;  // the thread that called execve, when it was not the main one
  std::string binary;          // absolute path of the executed file
  std::vector<std::string> args;  // argv, argv[0] first
  std::string cwd;
  bool args_truncated = false;  // argv exceeded 64 KiB (set only with ProcessField::args_truncated)
  // Flags the kernel sets only when true (absent otherwise).
  bool args_unreadable = false, binary_truncated = false, cwd_truncated = false;
  std::optional<Container> container;  // exec events
  std::uint32_t fields = 0;            // ProcessField bits of the members the event carried

  bool has(ProcessField f) const { return (fields & static_cast<std::uint32_t>(f)) != 0; }
  void set(ProcessField f) { fields |= static_cast<std::uint32_t>(f); }
  bool operator==(const Process&) const = default;
};

}  // namespace jobtrail::event
