// The family object lookup the readers share.
#include "trail/event/readers.hpp"

namespace jobtrail::event::read {

bool family_object(Object root, std::string_view key, Object& out, bool& present, Failure& f) {
  Element v;
  present = false;
  if (root.at_key(key).get(v) || json_in::is_null(v)) return false;
  present = true;
  if (!json_in::read_object(v, out)) return json_in::fail(f, "event", key);
  return true;
}

}  // namespace jobtrail::event::read
