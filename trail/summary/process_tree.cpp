#include "trail/summary/process_tree.hpp"

#include "trail/events/compact.hpp"
#include "trail/events/types.hpp"
#include "trail/summary/fields.hpp"
#include "trail/text/exact_bytes.hpp"
#include "trail/text/terminal_text.hpp"

namespace jobtrail::summary {

void ProcessTree::add(const json& ev) {
  const std::string type = event_type(ev);
  if (type == events::type_name::process_exec) {
    auto id = exec_id_of(ev);
    if (id.empty() || by_exec_id_.count(id)) return;
    if (nodes_.size() >= max_nodes_) {
      ++dropped_;
      return;
    }
    ProcessNode n;
    auto& p = process_of(ev);
    n.exec_id = id;
    n.parent_exec_id = parent_exec_id_of(ev);
    n.pid = pid_of(ev).value_or(0);
    if (auto it = p.find("ppid"); it != p.end() && it->is_number_integer()) n.ppid = it->get<std::int64_t>();
    if (auto it = p.find("uid"); it != p.end() && it->is_number_integer()) n.uid = it->get<std::int64_t>();
    n.binary = text::exact_string(p, "binary").value_or("");
    n.cwd = text::exact_string(p, "cwd").value_or("");
    n.args = text::exact_strings(p, "args");
    auto cut = p.find("args_truncated");
    n.args_truncated = cut != p.end() && cut->is_boolean() && cut->get<bool>();
    n.start_time = event_time(ev);
    by_exec_id_.emplace(id, nodes_.size());
    nodes_.push_back(std::move(n));
  } else if (type == events::type_name::process_exit) {
    auto it = by_exec_id_.find(exec_id_of(ev));
    if (it == by_exec_id_.end()) return;
    auto& n = nodes_[it->second];
    // A fork that never exec'd carries its parent's exec_id: only the exec'd pid ends the node.
    auto pid = pid_of(ev);
    if (pid && n.pid && *pid != n.pid) return;
    n.end_time = event_time(ev);
    auto ex = ev.find("exit");
    if (ex != ev.end() && ex->is_object()) {
      if (auto s = ex->find("signal"); s != ex->end() && !s->is_null()) {
        auto name = ex->find("signal_name");
        n.exit_signal = name != ex->end() && name->is_string() ? name->get<std::string>() : id_text(*s);
      } else if (auto c = ex->find("code"); c != ex->end() && c->is_number_integer()) {
        n.exit_code = c->get<std::int64_t>();
      }
    }
  }
}

void ProcessTree::finish() {
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    auto& n = nodes_[i];
    if (n.parent != ProcessNode::npos) continue;  // finish() called twice
    auto it = by_exec_id_.find(n.parent_exec_id);
    if (it == by_exec_id_.end() || it->second == i) continue;
    n.parent = it->second;
    nodes_[it->second].children.push_back(i);
  }
}

std::vector<std::size_t> ProcessTree::roots() const {
  std::vector<std::size_t> r;
  for (std::size_t i = 0; i < nodes_.size(); ++i)
    if (nodes_[i].parent == ProcessNode::npos) r.push_back(i);
  return r;
}

std::optional<std::size_t> ProcessTree::find(const std::string& exec_id) const {
  auto it = by_exec_id_.find(exec_id);
  if (it == by_exec_id_.end()) return std::nullopt;
  return it->second;
}

std::string node_label(const ProcessNode& n) {
  std::string out = n.binary.empty() ? "?" : text::terminal_safe(n.binary);
  for (std::size_t i = 1; i < n.args.size(); ++i) out += " " + events::quote_arg(n.args[i]);
  if (n.args_truncated) out += " …(truncated)";
  out += "  [pid " + std::to_string(n.pid) + "]";
  if (n.exit_code) out += " exit " + std::to_string(*n.exit_code);
  else if (!n.exit_signal.empty()) out += " killed SIG" + text::terminal_safe(n.exit_signal);
  else out += " (no exit seen)";
  return out;
}

}  // namespace jobtrail::summary
