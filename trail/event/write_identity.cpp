// job_identity and family_missing: their keys are at the top level of the event.
#include "trail/event/writers.hpp"

namespace jobtrail::event::write {

void identity(Top& top, const Identity& x) {
  if (x.job) top.before("job").string_map("job", *x.job);
  if (x.mismatch) top.before("mismatch").member("mismatch", true);
  if (x.reason) top.before("reason").member("reason", *x.reason);
  // Always there: null for a mismatch whose exec had no exec_id (sidecar/job_identity.cpp).
  auto& o = top.before("revealed_by");
  if (x.revealed_by) o.member("revealed_by", *x.revealed_by);
  else o.null_member("revealed_by");
}

void family_missing(Top& top, const FamilyMissing& x) {
  top.before("family").member("family", x.family);
  top.before("reason").member("reason", x.reason);
}

}  // namespace jobtrail::event::write
