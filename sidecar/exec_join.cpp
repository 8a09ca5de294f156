#include "sidecar/exec_join.hpp"

#include <iterator>

#include "trail/events/types.hpp"

namespace jobtrail::sidecar {

namespace {
// The event's type, without a copy ("" when it has none).
std::string_view type_of(const nlohmann::json& e) {
  auto it = e.find("type");
  return it != e.end() && it->is_string() ? std::string_view(it->get_ref<const std::string&>()) : std::string_view();
}

// What other events of an exec get from it (a missing field is null). The keys are in order, so
// each is added at the end of the table entry's map without a compare.
nlohmann::json joined_fields(const nlohmann::json& process) {
  static constexpr const char* kJoined[] = {"args", "args_truncated", "binary", "cwd", "gid",
                                            "ns_pid", "parent_exec_id", "pid", "uid"};
  nlohmann::json out = nlohmann::json::object();
  auto& o = out.get_ref<nlohmann::json::object_t&>();
  for (const char* k : kJoined) {
    auto it = process.find(k);
    o.emplace_hint(o.end(), k, it != process.end() ? *it : nlohmann::json());
  }
  return out;
}
}  // namespace

void ExecJoin::arrive(nlohmann::json& e) {
  const std::string_view type = type_of(e);
  if (type == events::type_name::process_exec) {
    auto& p = e["process"];
    table_.add(p.value("exec_id", std::uint64_t{0}), joined_fields(p));
    return;
  }
  join(e, type);
}

void ExecJoin::join(nlohmann::json& e, std::string_view type) {
  auto& p = e["process"];
  const std::uint64_t exec_id = p.value("exec_id", std::uint64_t{0});
  const auto* known = table_.find(exec_id);
  if (!known) return;
  const auto pid = p.value("pid", 0u);
  // Both objects are maps in key order: one walk over the two adds the missing fields, each
  // where it belongs, with no lookup per field.
  auto& into = p.get_ref<nlohmann::json::object_t&>();  // an object: p.value() above threw otherwise
  auto at = into.begin();
  for (const auto& [k, v] : known->get_ref<const nlohmann::json::object_t&>()) {
    while (at != into.end() && at->first < k) ++at;
    if (at != into.end() && at->first == k) continue;  // the event's own value stays
    at = std::next(into.emplace_hint(at, k, v));
  }
  // Forked children report under their parent's exec_id: only the exec's own process retires it.
  if (type == events::type_name::process_exit && pid == known->value("pid", 0u))
    table_.retire(exec_id);
}

}  // namespace jobtrail::sidecar
