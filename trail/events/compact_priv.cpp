// Compact lines of the priv family:
//   🔐 mount   ns/pod /usr/bin/mount source=/dev/sda2 target=/mnt EPERM
//   🛡️ capability ns/pod /usr/bin/mount CAP_SYS_ADMIN x3
#include <algorithm>

#include "trail/events/compact.hpp"
#include "trail/events/types.hpp"
#include "trail/text/exact_bytes.hpp"
#include "trail/text/terminal_text.hpp"

namespace jobtrail::events {

std::string format_compact_priv(const nlohmann::json& event, const PodRef& pod) {
  using nlohmann::json;
  const std::string type = text(event, "type");
  const std::string who = pod.text() + " " + process_text(event);
  if (type == events::type_name::priv_syscall) {
    const json& priv = member(event, "priv");
    std::string name = text(priv, "syscall", "?");
    name.resize(std::max<std::size_t>(name.size(), 7), ' ');
    std::string line = "🔐 " + name + " " + who;
    const json& args = member(priv, "args");
    if (args.is_object())
      for (const auto& [k, v] : args.items()) {
        if (k.ends_with(text::exact_bytes_suffix) && args.contains(k.substr(0, k.size() - text::exact_bytes_suffix.size())))
          continue;  // the exact bytes of another argument, shown in its place
        std::string value = v.is_string() ? quote_arg(text::exact_string(args, k).value_or(""))
                                          : text::terminal_safe(v.dump(-1, ' ', false, json::error_handler_t::replace));
        line += " " + text::terminal_safe(k) + "=" + value;
      }
    // an errno name, "ok", or the number a syscall returned (bpf, perf_event_open: an fd)
    const json& result = member(priv, "result");
    if (result.is_string() && result != "ok")
      line += " " + text(priv, "result");
    else if (result.is_number())
      line += " = " + text(priv, "result");
    return line;
  }
  if (type == events::type_name::capability) {
    const json& cap = member(event, "capability");
    std::string line = "🛡️ capability " + who + " " + text(cap, "name", "?");
    auto count = integer(cap, "count", 1);
    if (count > 1) line += " x" + std::to_string(count);
    return line;
  }
  return {};
}

}  // namespace jobtrail::events
