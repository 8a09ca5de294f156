// process_exec's stdio, namespaces and env; process_exit's `exit` (docs/schema.md, "Types").
#include "trail/event/readers.hpp"

namespace jobtrail::event::read {

namespace {
using json_in::read;

bool stdio_side(Element v, Stdio& s, Failure& f, std::string_view side) {
  Object o;
  if (!json_in::read_object(v, o)) return json_in::fail(f, "stdio", side);
  for (auto [key, value] : o) {
    bool ok = true;
    if (key == "pipe") ok = read(value, s.pipe);
    else if (key == "inode") ok = read(value, s.inode);
    else if (key == "socket") ok = read(value, s.socket);
    else if (key == "tty") ok = read(value, s.tty);
    else if (key == "net") {
      Object n;
      if (!json_in::read_object(value, n)) return json_in::fail(f, "stdio.net", side);
      if (!flow(n, s.net.emplace(), f, "stdio.net")) return false;
    }
    if (!ok) return json_in::fail(f, "stdio", key);
  }
  return true;
}

bool stdio(Element v, Exec& e, Failure& f) {
  Object o;
  if (!json_in::read_object(v, o)) return json_in::fail(f, "event", "stdio");
  for (auto [key, value] : o) {
    if (key == "stdin" && !stdio_side(value, e.stdin_.emplace(), f, key)) return false;
    if (key == "stdout" && !stdio_side(value, e.stdout_.emplace(), f, key)) return false;
  }
  return true;
}

bool namespaces(Element v, Namespaces& ns, Failure& f) {
  Object o;
  if (!json_in::read_object(v, o)) return json_in::fail(f, "event", "namespaces");
  for (auto [key, value] : o) {
    std::uint64_t* into = key == "cgroup" ? &ns.cgroup
                          : key == "ipc"  ? &ns.ipc
                          : key == "mnt"  ? &ns.mnt
                          : key == "net"  ? &ns.net
                          : key == "pid"  ? &ns.pid
                          : key == "user" ? &ns.user
                          : key == "uts"  ? &ns.uts
                                          : nullptr;
    if (into && !read(value, *into)) return json_in::fail(f, "namespaces", key);
  }
  return true;
}
}  // namespace

bool exec(Object root, Exec& e, Failure& f) {
  for (auto [key, value] : root) {
    bool ok = true;
    if (key == "stdio") {
      if (!stdio(value, e, f)) return false;
    } else if (key == "namespaces") {
      if (!namespaces(value, e.namespaces.emplace(), f)) return false;
    } else if (key == "env") {
      ok = json_in::read_string_map(value, e.env);
    } else if (key == "env_truncated") {
      ok = read(value, e.env_truncated);
    }
    if (!ok) return json_in::fail(f, "event", key);
  }
  return true;
}

bool exit(Object root, Exit& x, Failure& f) {
  Object o;
  bool present = false;
  if (!family_object(root, "exit", o, present, f)) return present ? false : true;
  for (auto [key, value] : o) {
    bool ok = true;
    if (key == "code") ok = read(value, x.code);
    else if (key == "signal") ok = read(value, x.signal);
    else if (key == "signal_name") ok = read(value, x.signal_name);
    else if (key == "core_dumped") ok = read(value, x.core_dumped);
    else if (key == "duration_ns") ok = read(value, x.duration_ns);
    if (!ok) return json_in::fail(f, "exit", key);
  }
  return true;
}

}  // namespace jobtrail::event::read
