// process_exec's env, namespaces and stdio; process_exit's `exit` (docs/schema.md, "Types").
#include "trail/event/writers.hpp"

namespace jobtrail::event::write {

namespace {
void stdio_side(Object& parent, std::string_view k, const Stdio& s) {
  parent.key(k);
  Object o(parent.line());
  o.member("inode", s.inode);
  if (s.net) flow(o, "net", *s.net);
  o.member("pipe", s.pipe);
  o.flag("socket", s.socket);
  o.flag("tty", s.tty);
  o.close();
}

void namespaces(Object& parent, const Namespaces& ns) {
  parent.key("namespaces");
  Object o(parent.line());
  o.member("cgroup", ns.cgroup);
  o.member("ipc", ns.ipc);
  o.member("mnt", ns.mnt);
  o.member("net", ns.net);
  o.member("pid", ns.pid);
  o.member("user", ns.user);
  o.member("uts", ns.uts);
  o.close();
}
}  // namespace

void exec(Top& top, const Exec& x) {
  if (!x.env.empty()) top.before("env").string_map("env", x.env);  // the decoder leaves an empty one out
  if (x.env_truncated) top.before("env_truncated").member("env_truncated", true);
  if (x.namespaces) namespaces(top.before("namespaces"), *x.namespaces);
  if (x.stdin_ || x.stdout_) {
    auto& root = top.before("stdio");
    root.key("stdio");
    Object o(root.line());
    if (x.stdin_) stdio_side(o, "stdin", *x.stdin_);
    if (x.stdout_) stdio_side(o, "stdout", *x.stdout_);
    o.close();
  }
}

void exit(Top& top, const Exit& x) {
  auto& root = top.before("exit");
  root.key("exit");
  Object o(root.line());
  // code and signal: one is null, as the decoder writes them (exit_status_json)
  if (x.code) o.member("code", *x.code);
  else o.null_member("code");
  o.optional("core_dumped", x.core_dumped);
  o.member("duration_ns", x.duration_ns);
  if (x.signal) o.member("signal", *x.signal);
  else o.null_member("signal");
  o.optional("signal_name", x.signal_name);
  o.close();
}

}  // namespace jobtrail::event::write
