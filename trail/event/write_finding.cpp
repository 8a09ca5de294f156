// The `finding` object (docs/findings.md; trail/findings/finding.cpp makes it).
#include "trail/event/writers.hpp"

namespace jobtrail::event::write {

void finding(Top& top, const Finding& x) {
  auto& root = top.before("finding");
  root.key("finding");
  Object o(root.line());
  o.optional("evidence", x.evidence);
  o.member("exec_ids", x.exec_ids);
  o.member("id", x.id);
  o.member("severity", x.severity);
  o.member("title", x.title);
  o.close();
}

}  // namespace jobtrail::event::write
