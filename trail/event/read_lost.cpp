// `lost` (docs/schema.md, "lost"): its keys are at the top level of the event.
#include "trail/event/readers.hpp"

namespace jobtrail::event::read {

bool lost(Object root, Lost& l, Failure& f) {
  using json_in::read;
  for (auto [key, value] : root) {
    bool ok = true;
    if (key == "lost_type") ok = read(value, l.lost_type);
    else if (key == "count") ok = read(value, l.count);
    else if (key == "object") ok = read(value, l.object);
    else if (key == "error") ok = read(value, l.error);
    else if (key == "attempts") ok = read(value, l.attempts);
    if (!ok) return json_in::fail(f, "lost", key);
  }
  return true;
}

}  // namespace jobtrail::event::read
