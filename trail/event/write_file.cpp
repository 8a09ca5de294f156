// The `file` object (docs/schema.md, "Files"): which keys a file event has depends on its type
// and the folding mode, so the model keeps them optional and each is written when set.
#include "trail/event/writers.hpp"

namespace jobtrail::event::write {

namespace {
void writers(Object& parent, const std::vector<FileWriter>& list) {
  parent.key("writers");
  auto& out = parent.line().out;
  out += '[';
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (i) out += ',';
    Object o(parent.line());
    o.member("bytes_written", list[i].bytes_written);
    o.member("exec_id", list[i].exec_id);
    o.close();
  }
  out += ']';
}

void owner(Object& parent, const FileOwner& w) {
  parent.key("owner");
  Object o(parent.line());
  o.member("gid", w.gid);
  o.member("uid", w.uid);
  o.close();
}
}  // namespace

void file(Top& top, const File& x) {
  auto& root = top.before("file");
  root.key("file");
  Object o(root.line());
  o.optional("bytes_read", x.bytes_read);
  o.optional("bytes_written", x.bytes_written);
  o.optional("command_file", x.command_file);
  o.optional("count", x.count);
  o.optional("create_mode", x.create_mode);
  o.optional("fd", x.fd);
  o.optional("first_time", x.first_time);
  o.optional("last_time", x.last_time);
  o.optional("mode", x.mode);
  o.optional("mode_bits", x.mode_bits);
  o.optional("new_path", x.new_path);
  o.optional("op", x.op);
  o.optional("open_exec_id", x.open_exec_id);
  if (x.owner) owner(o, *x.owner);
  o.member("path", x.path);
  o.flag("path_truncated", x.path_truncated);
  o.flag("path_unreadable", x.path_unreadable);
  o.flag("release_unseen", x.release_unseen);
  o.optional("result", x.result);
  o.optional("syscall", x.syscall);
  o.optional("target", x.target);
  if (x.writers) writers(o, *x.writers);
  o.flag("writers_cut", x.writers_cut);
  o.close();
}

}  // namespace jobtrail::event::write
