// The `process` object (docs/schema.md, `process`).
#include "trail/event/readers.hpp"

namespace jobtrail::event::read {

namespace {
using json_in::read;

bool container(Element v, Container& out, Failure& f) {
  if (v.is_string()) return read(v, out.name);
  Object o;
  if (!json_in::read_object(v, o)) return json_in::fail(f, "process", "container");
  json_in::ExactBytes exact;
  for (auto [key, value] : o) {
    if (exact.note(key, value)) continue;
    bool ok = true;
    if (key == "cgroup") ok = read(value, out.cgroup);
    else if (key == "id") ok = read(value, out.id);
    if (!ok) return json_in::fail(f, "process.container", key);
  }
  exact.apply("cgroup", out.cgroup);
  return true;
}
}  // namespace

bool process(Element v, Process& p, Failure& f) {
  Object o;
  if (!json_in::read_object(v, o)) return json_in::fail(f, "event", "process");
  json_in::ExactBytes exact;
  for (auto field : o) {
    const std::string_view key = field.key;
    const Element value = field.value;
    if (exact.note(key, value)) continue;
    // The exec join writes null for a field its table entry lacked: the event does not have it.
    if (json_in::is_null(value)) continue;
    bool ok = true;
    auto number = [&](auto& member, ProcessField bit) {
      ok = read(value, member);
      p.set(bit);
    };
    switch (key.empty() ? '\0' : key[0]) {
      case 'a':
        if (key == "args") ok = json_in::read_strings(value, p.args), p.set(ProcessField::args);
        else if (key == "args_truncated") ok = read(value, p.args_truncated), p.set(ProcessField::args_truncated);
        else if (key == "args_unreadable") ok = read(value, p.args_unreadable);
        break;
      case 'b':
        if (key == "binary") ok = read(value, p.binary), p.set(ProcessField::binary);
        else if (key == "binary_truncated") ok = read(value, p.binary_truncated);
        break;
      case 'c':
        if (key == "cgroup_id") number(p.cgroup_id, ProcessField::cgroup_id);
        else if (key == "cwd") ok = read(value, p.cwd), p.set(ProcessField::cwd);
        else if (key == "cwd_truncated") ok = read(value, p.cwd_truncated);
        else if (key == "container") {
          p.container.emplace();
          if (!container(value, *p.container, f)) return false;
        }
        break;
      case 'e':
        if (key == "egid") number(p.egid, ProcessField::egid);
        else if (key == "euid") number(p.euid, ProcessField::euid);
        else if (key == "exec_id") number(p.exec_id, ProcessField::exec_id);
        else if (key == "exec_tid") number(p.exec_tid, ProcessField::exec_tid);
        break;
      case 'g':
        if (key == "gid") number(p.gid, ProcessField::gid);
        break;
      case 'n':
        if (key == "ns_pid") number(p.ns_pid, ProcessField::ns_pid);
        else if (key == "ns_ppid") number(p.ns_ppid, ProcessField::ns_ppid);
        break;
      case 'p':
        if (key == "parent_exec_id") number(p.parent_exec_id, ProcessField::parent_exec_id);
        else if (key == "pid") number(p.pid, ProcessField::pid);
        else if (key == "ppid") number(p.ppid, ProcessField::ppid);
        break;
      case 't':
        if (key == "tid") number(p.tid, ProcessField::tid);
        break;
      case 'u':
        if (key == "uid") number(p.uid, ProcessField::uid);
        break;
      default: break;
    }
    if (!ok) return json_in::fail(f, "process", key);
  }
  if (!exact.empty()) {  // a sibling without its key names nothing the event carries
    if (p.has(ProcessField::binary)) exact.apply("binary", p.binary);
    if (p.has(ProcessField::cwd)) exact.apply("cwd", p.cwd);
    if (p.has(ProcessField::args)) exact.apply("args", p.args);
  }
  return true;
}

}  // namespace jobtrail::event::read
