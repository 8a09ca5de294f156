// `lost` (docs/schema.md, "lost"): its keys are at the top level of the event.
#include "trail/event/writers.hpp"

namespace jobtrail::event::write {

void lost(Top& top, const Lost& x) {
  if (x.attempts) top.before("attempts").member("attempts", *x.attempts);
  top.before("count").member("count", x.count);
  if (x.error) top.before("error").member("error", *x.error);
  top.before("lost_type").member("lost_type", x.lost_type);
  if (x.object) top.before("object").member("object", *x.object);
}

}  // namespace jobtrail::event::write
