// Compact lines of the priv family:
//   🔐 mount   ns/pod /usr/bin/mount source=/dev/sda2 target=/mnt EPERM
//   🛡️ capability ns/pod /usr/bin/mount CAP_SYS_ADMIN x3
#include "trail/events/compact.hpp"

namespace jobtrail::events {

std::string format_compact_priv(const nlohmann::json& event, const PodRef& pod) {
  using nlohmann::json;
  const std::string type = event.value("type", std::string());
  const std::string who = pod.text() + " " + process_text(event);
  if (type == "priv_syscall") {
    const json priv = event.value("priv", json::object());
    std::string name = priv.value("syscall", std::string("?"));
    name.resize(std::max<std::size_t>(name.size(), 7), ' ');
    std::string line = "🔐 " + name + " " + who;
    const json args = priv.value("args", json::object());  // items() must not outlive its json
    for (const auto& [k, v] : args.items())
      line += " " + k + "=" + (v.is_string() ? quote_arg(v.get<std::string>()) : v.dump());
    // an errno name, "ok", or the number a syscall returned (bpf, perf_event_open: an fd)
    const auto result = priv.find("result");
    if (result != priv.end() && result->is_string() && *result != "ok")
      line += " " + quote_arg(result->get<std::string>());
    else if (result != priv.end() && result->is_number())
      line += " = " + result->dump();
    return line;
  }
  if (type == "capability") {
    const json cap = event.value("capability", json::object());
    std::string line = "🛡️ capability " + who + " " + cap.value("name", std::string("?"));
    auto count = cap.value("count", 1);
    if (count > 1) line += " x" + std::to_string(count);
    return line;
  }
  return {};
}

}  // namespace jobtrail::events
