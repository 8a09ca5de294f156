// The `file` object (docs/schema.md, "Files").
#include "trail/event/readers.hpp"

namespace jobtrail::event::read {

namespace {
using json_in::read;

bool writers(Element v, std::vector<FileWriter>& out, Failure& f) {
  simdjson::dom::array a;
  if (v.get_array().get(a)) return json_in::fail(f, "file", "writers");
  out.clear();
  for (Element e : a) {
    Object o;
    if (!json_in::read_object(e, o)) return json_in::fail(f, "file", "writers");
    FileWriter w;
    for (auto [key, value] : o) {
      bool ok = true;
      if (key == "exec_id") ok = read(value, w.exec_id);
      else if (key == "bytes_written") ok = read(value, w.bytes_written);
      if (!ok) return json_in::fail(f, "file.writers", key);
    }
    out.push_back(w);
  }
  return true;
}

bool owner(Element v, FileOwner& out, Failure& f) {
  Object o;
  if (!json_in::read_object(v, o)) return json_in::fail(f, "file", "owner");
  for (auto [key, value] : o) {
    bool ok = true;
    if (key == "uid") ok = read(value, out.uid);
    else if (key == "gid") ok = read(value, out.gid);
    if (!ok) return json_in::fail(f, "file.owner", key);
  }
  return true;
}
}  // namespace

bool file(Object root, File& x, Failure& f) {
  Object o;
  bool present = false;
  if (!family_object(root, "file", o, present, f)) return !present;
  json_in::ExactBytes exact;
  for (auto [key, value] : o) {
    if (exact.note(key, value)) continue;
    bool ok = true;
    if (key == "path") ok = read(value, x.path);
    else if (key == "result") ok = read(value, x.result);
    else if (key == "syscall") ok = read(value, x.syscall);
    else if (key == "mode") {
      x.mode.emplace();
      ok = json_in::read_strings(value, *x.mode);
    } else if (key == "fd") ok = read(value, x.fd);
    else if (key == "create_mode") ok = read(value, x.create_mode);
    else if (key == "count") ok = read(value, x.count);
    else if (key == "bytes_read") ok = read(value, x.bytes_read);
    else if (key == "bytes_written") ok = read(value, x.bytes_written);
    else if (key == "open_exec_id") ok = read(value, x.open_exec_id);
    else if (key == "writers") {
      if (!writers(value, x.writers.emplace(), f)) return false;
    } else if (key == "first_time") ok = read(value, x.first_time);
    else if (key == "last_time") ok = read(value, x.last_time);
    else if (key == "command_file") ok = read(value, x.command_file);
    else if (key == "op") ok = read(value, x.op);
    else if (key == "new_path") ok = read(value, x.new_path);
    else if (key == "target") ok = read(value, x.target);
    else if (key == "mode_bits") ok = read(value, x.mode_bits);
    else if (key == "owner") {
      if (!owner(value, x.owner.emplace(), f)) return false;
    } else if (key == "path_truncated") ok = read(value, x.path_truncated);
    else if (key == "path_unreadable") ok = read(value, x.path_unreadable);
    else if (key == "writers_cut") ok = read(value, x.writers_cut);
    else if (key == "release_unseen") ok = read(value, x.release_unseen);
    if (!ok) return json_in::fail(f, "file", key);
  }
  if (!exact.empty()) {
    exact.apply("path", x.path);
    exact.apply("new_path", x.new_path);
    exact.apply("target", x.target);
  }
  return true;
}

}  // namespace jobtrail::event::read
