// The `priv` and `capability` objects (docs/schema.md, "Privilege").
#include "trail/event/readers.hpp"

namespace jobtrail::event::read {

using json_in::read;

bool priv(Object root, Priv& p, Failure& f) {
  Object o;
  bool present = false;
  if (!family_object(root, "priv", o, present, f)) return !present;
  for (auto [key, value] : o) {
    bool ok = true;
    if (key == "syscall") ok = read(value, p.syscall);
    else if (key == "result") {
      std::string text;
      ok = json_in::is_null(value) || json_in::read_text_or_number(value, text);
      if (ok && !json_in::is_null(value)) p.result = std::move(text);
    } else if (key == "args") {
      Object args;
      ok = json_in::read_object(value, args);
    }
    if (!ok) return json_in::fail(f, "priv", key);
  }
  p.json = json_in::compact(o);
  return true;
}

bool capability(Object root, Capability& c, Failure& f) {
  Object o;
  bool present = false;
  if (!family_object(root, "capability", o, present, f)) return !present;
  for (auto [key, value] : o) {
    bool ok = true;
    if (key == "name") ok = read(value, c.name);
    else if (key == "cap") ok = read(value, c.cap);
    else if (key == "granted") ok = read(value, c.granted);
    else if (key == "count") ok = read(value, c.count);
    if (!ok) return json_in::fail(f, "capability", key);
  }
  c.json = json_in::compact(o);
  return true;
}

}  // namespace jobtrail::event::read
