#pragma once
// What a process_exec carries beyond `process` (docs/schema.md, "Types"): stdio, namespaces and
// the allow-listed environment.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "trail/event/net.hpp"

namespace jobtrail::event {

// One stdio side: a pipe (its inode joins `curl | sh`), a socket (with its connection when it is
// an inet TCP/UDP socket: a shell reading one is a reverse shell) or a terminal.
struct Stdio {
  bool pipe = false;
  std::uint64_t inode = 0;
  bool socket = false;
  bool tty = false;
  std::optional<Flow> net;
  bool operator==(const Stdio&) const = default;
};

// Namespace inode numbers.
struct Namespaces {
  std::uint64_t cgroup = 0, ipc = 0, mnt = 0, net = 0, pid = 0, user = 0, uts = 0;
  bool operator==(const Namespaces&) const = default;
};

struct Exec {
  std::optional<Stdio> stdin_, stdout_;
  std::optional<Namespaces> namespaces;
  std::vector<std::pair<std::string, std::string>> env;  // allow-listed NAME, value (exact bytes), by name
  bool env_truncated = false;
  bool operator==(const Exec&) const = default;
};

// process_exit: the wait status and how long the process lived.
struct Exit {
  std::optional<std::int64_t> code;    // null when a signal killed it
  std::optional<std::uint64_t> signal;  // null otherwise
  std::optional<std::string> signal_name;
  std::optional<bool> core_dumped;
  std::uint64_t duration_ns = 0;
  bool operator==(const Exit&) const = default;
};

}  // namespace jobtrail::event
