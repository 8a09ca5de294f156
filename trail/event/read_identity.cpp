// job_identity and family_missing: their keys are at the top level of the event.
#include "trail/event/readers.hpp"

namespace jobtrail::event::read {

using json_in::read;

bool identity(Object root, Identity& id, Failure& f) {
  for (auto [key, value] : root) {
    bool ok = true;
    if (key == "job") {
      ok = json_in::is_null(value) || json_in::read_string_map(value, id.job.emplace());
    } else if (key == "revealed_by") ok = read(value, id.revealed_by);
    else if (key == "mismatch") ok = read(value, id.mismatch);
    else if (key == "reason") ok = read(value, id.reason);
    if (!ok) return json_in::fail(f, "job_identity", key);
  }
  return true;
}

bool family_missing(Object root, FamilyMissing& m, Failure& f) {
  for (auto [key, value] : root) {
    bool ok = true;
    if (key == "family") ok = read(value, m.family);
    else if (key == "reason") ok = read(value, m.reason);
    if (!ok) return json_in::fail(f, "family_missing", key);
  }
  return true;
}

}  // namespace jobtrail::event::read
