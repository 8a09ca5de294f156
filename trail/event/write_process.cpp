// The `process` object (docs/schema.md, `process`): the members `fields` names, flags when true.
#include "trail/event/writers.hpp"

namespace jobtrail::event::write {

namespace {
void container(Object& parent, const Container& c) {
  // An older archive's plain name; the cgroup form wins when the event has both.
  if (!c.name.empty() && c.cgroup.empty() && c.id.empty()) return parent.member("container", c.name);
  parent.key("container");
  Object o(parent.line());
  o.member("cgroup", c.cgroup);
  o.member("id", c.id);
  o.close();
}
}  // namespace

void process(Object& parent, const Process& p) {
  using F = ProcessField;
  parent.key("process");
  Object o(parent.line());
  auto number = [&](std::string_view k, auto value, F bit) {
    if (p.has(bit)) o.member(k, value);
  };
  if (p.has(F::args)) o.member("args", p.args);
  if (p.has(F::args_truncated)) o.member("args_truncated", p.args_truncated);
  o.flag("args_unreadable", p.args_unreadable);
  if (p.has(F::binary)) o.member("binary", p.binary);
  o.flag("binary_truncated", p.binary_truncated);
  number("cgroup_id", p.cgroup_id, F::cgroup_id);
  if (p.container) container(o, *p.container);
  if (p.has(F::cwd)) o.member("cwd", p.cwd);
  o.flag("cwd_truncated", p.cwd_truncated);
  number("egid", p.egid, F::egid);
  number("euid", p.euid, F::euid);
  number("exec_id", p.exec_id, F::exec_id);
  number("exec_tid", p.exec_tid, F::exec_tid);
  number("gid", p.gid, F::gid);
  number("ns_pid", p.ns_pid, F::ns_pid);
  number("ns_ppid", p.ns_ppid, F::ns_ppid);
  number("parent_exec_id", p.parent_exec_id, F::parent_exec_id);
  number("pid", p.pid, F::pid);
  number("ppid", p.ppid, F::ppid);
  number("tid", p.tid, F::tid);
  number("uid", p.uid, F::uid);
  o.close();
}

}  // namespace jobtrail::event::write
