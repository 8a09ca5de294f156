// The `finding` object (docs/findings.md).
#include "trail/event/readers.hpp"

namespace jobtrail::event::read {

bool finding(Object root, Finding& x, Failure& f) {
  using json_in::read;
  Object o;
  bool present = false;
  if (!family_object(root, "finding", o, present, f)) return !present;
  json_in::ExactBytes exact;
  for (auto [key, value] : o) {
    if (exact.note(key, value)) continue;
    bool ok = true;
    if (key == "id") ok = read(value, x.id);
    else if (key == "severity") ok = read(value, x.severity);
    else if (key == "title") ok = read(value, x.title);
    else if (key == "exec_ids") ok = json_in::read_numbers(value, x.exec_ids);
    else if (key == "evidence") ok = json_in::read_numbers(value, x.evidence.emplace());
    if (!ok) return json_in::fail(f, "finding", key);
  }
  exact.apply("title", x.title);
  return true;
}

}  // namespace jobtrail::event::read
