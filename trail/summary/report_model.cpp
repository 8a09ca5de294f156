#include "trail/summary/report_model.hpp"

#include "trail/events/types.hpp"
#include "trail/summary/fields.hpp"

namespace jobtrail::summary {

using nlohmann::json;

ReportModel::ReportModel(ReportLimits l) : limits_(l), tree_(l.max_processes) {}

void ReportModel::add(const json& ev) {
  const std::string type = event_type(ev);
  const int step = steps_.step_of(ev);
  if (type == events::type_name::process_exec || type == events::type_name::process_exit) {
    tree_.add(ev);
    if (step && type == events::type_name::process_exec && tree_.find(exec_id_of(ev)))
      step_of_exec_.emplace(exec_id_of(ev), step);
    return;
  }
  if (type != events::type_name::net_connect && type != events::type_name::net_accept && type != events::type_name::net_close && type != events::type_name::net_udp) return;
  auto ep = remote_endpoint(ev);
  if (!ep) return;
  if (connections_.size() >= limits_.max_connections) {
    ++connections_elided_;
    return;
  }
  const json& net = ev["net"];
  connections_.push_back({{"time", event_time(ev)}, {"type", type}, {"address", ep->address}, {"port", ep->port},
                          {"protocol", ep->protocol}, {"name", str_field(net, "dst_name")},
                          {"result", str_field(net, "result")}, {"bytes_sent", bytes_sent(ev)},
                          {"bytes_received", bytes_received(ev)}, {"pid", pid_of(ev).value_or(0)},
                          {"exec_id", exec_id_of(ev)}, {"binary", binary_of(ev)}, {"step", step},
                          {"seq", ev.contains("seq") && ev["seq"].is_number_unsigned() ? ev["seq"] : json()}});
}

json ReportModel::finish() {
  tree_.finish();
  json procs = json::array();
  for (auto& n : tree_.nodes()) {
    const auto step = step_of_exec_.find(n.exec_id);
    json args = json::array();
    std::size_t chars = 0;
    bool cut = n.args_truncated;
    for (auto& a : n.args) {
      if (chars + a.size() > limits_.max_arg_chars) {
        cut = true;
        break;
      }
      chars += a.size();
      args.push_back(a);
    }
    procs.push_back({{"parent", n.parent == ProcessNode::npos ? -1 : static_cast<std::int64_t>(n.parent)},
                     {"exec_id", n.exec_id}, {"pid", n.pid}, {"binary", n.binary}, {"args", args},
                     {"args_truncated", cut}, {"cwd", n.cwd}, {"start", n.start_time}, {"end", n.end_time},
                     {"exit_code", n.exit_code ? json(*n.exit_code) : json()},
                     {"signal", n.exit_signal}, {"step", step == step_of_exec_.end() ? 0 : step->second}});
  }
  return {{"processes", procs}, {"connections", connections_}, {"steps", steps_.steps()},
          {"elided", {{"processes", tree_.dropped()}, {"connections", connections_elided_}}}};
}

}  // namespace jobtrail::summary
