// The `priv` and `capability` objects (docs/schema.md, "Privilege"): their compact JSON text,
// as the reader kept it, holds every argument; the typed members are read from it.
#include "trail/event/writers.hpp"

namespace jobtrail::event::write {

namespace {
// `json` is ours (the reader's minified object, or a producer's), never the job's raw bytes.
void object_text(Top& top, std::string_view k, const std::string& json) {
  auto& root = top.before(k);
  root.key(k);
  root.line().out += json;
}
}  // namespace

// An event without the object (the reader found none) writes none.
void priv(Top& top, const Priv& x) {
  if (!x.json.empty()) return object_text(top, "priv", x.json);
  if (x == Priv{}) return;
  auto& root = top.before("priv");  // no text kept: the typed members
  root.key("priv");
  Object o(root.line());
  o.optional("result", x.result);
  o.member("syscall", x.syscall);
  o.close();
}

void capability(Top& top, const Capability& x) {
  if (!x.json.empty()) return object_text(top, "capability", x.json);
  if (x == Capability{}) return;
  auto& root = top.before("capability");
  root.key("capability");
  Object o(root.line());
  o.member("cap", x.cap);
  o.member("count", x.count);
  o.member("granted", x.granted);
  o.member("name", x.name);
  o.close();
}

}  // namespace jobtrail::event::write
