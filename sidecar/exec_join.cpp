#include "sidecar/exec_join.hpp"
#include "trail/events/types.hpp"

namespace jobtrail::sidecar {

namespace {
bool is_process_event(const std::string& type) { return type.rfind("process_", 0) == 0; }

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

ExecJoin::Arrival ExecJoin::arrive(nlohmann::json& e) {
  auto& p = e["process"];
  const std::uint64_t exec_id = p.value("exec_id", std::uint64_t{0});
  const std::string type = e.value("type", std::string());
  if (type == events::type_name::process_exec) {
    table_.add(exec_id, joined_fields(p));
    return Arrival::ready;
  }
  if (exec_id != 0 && !is_process_event(type) && !table_.find(exec_id)) {
    held_.push_back(std::move(e));
    return Arrival::held;
  }
  join(e, type);
  return Arrival::ready;
}

void ExecJoin::release(const std::function<void()>& read_all_rings, const Sink& sink) {
  if (held_.empty()) return;
  // Taken BEFORE the read: an event held during it may belong to an exec committed to a ring
  // the read had already passed (it would be released without its process fields).
  auto batch = std::move(held_);
  held_.clear();
  read_all_rings();
  for (auto& e : batch) {
    join(e, {});
    sink(e);
  }
}

void ExecJoin::release_all(const Sink& sink) {
  auto batch = std::move(held_);
  held_.clear();
  for (auto& e : batch) {
    join(e, {});
    sink(e);
  }
}

void ExecJoin::join(nlohmann::json& e, std::string_view type) {
  auto& p = e["process"];
  const std::uint64_t exec_id = p.value("exec_id", std::uint64_t{0});
  const auto* known = table_.find(exec_id);
  if (!known) return;
  const auto pid = p.value("pid", 0u);
  for (auto& [k, v] : known->items())
    if (!p.contains(k)) p[k] = v;
  // Forked children report under their parent's exec_id: only the exec's own process retires it.
  if (type == events::type_name::process_exit && pid == known->value("pid", 0u))
    table_.retire(exec_id);
}

}  // namespace jobtrail::sidecar
