#include "cli/show_filter.hpp"

#include "trail/events/types.hpp"
#include "trail/summary/fields.hpp"

namespace jobtrail::cli {

bool ShowFilter::match(const nlohmann::json& ev, std::string_view line) {
  // Descendant tracking first: it must see every exec, whatever the other filters say.
  bool in_subtree = true;
  if (!exec_roots.empty()) {
    auto id = summary::exec_id_of(ev);
    if (summary::event_type(ev) == events::type_name::process_exec &&
        (exec_roots.count(id) || included_.count(summary::parent_exec_id_of(ev))))
      included_.insert(id);
    in_subtree = included_.count(id) > 0 || exec_roots.count(id) > 0;
  }
  if (!in_subtree) return false;
  if (!events::in_stream_scope(ev, scope)) return false;
  if (!types.empty()) {
    auto t = summary::event_type(ev);
    bool ok = false;
    for (auto& want : types)
      if (t == want || (t.size() > want.size() && t.compare(0, want.size(), want) == 0 && t[want.size()] == '_')) ok = true;
    if (!ok) return false;
  }
  if (!binaries.empty()) {
    auto b = summary::binary_of(ev);
    auto base = b.substr(b.rfind('/') + 1);
    bool ok = false;
    for (auto& want : binaries)
      if (b == want || base == want) ok = true;
    if (!ok) return false;
  }
  if (!pids.empty()) {
    auto pid = summary::pid_of(ev);
    if (!pid || !pids.count(*pid)) return false;
  }
  if (since_ns || until_ns) {
    auto t = summary::parse_rfc3339_ns(summary::event_time(ev));
    if (!t) return false;
    if (since_ns && *t < *since_ns) return false;
    if (until_ns && *t >= *until_ns) return false;
  }
  if (!grep.empty() && line.find(grep) == std::string_view::npos) return false;
  return true;
}

}  // namespace jobtrail::cli
