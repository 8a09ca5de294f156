// Dispatcher of the compact form: picks the family formatter by the type's prefix.
#include "trail/events/compact.hpp"

#include <cstdio>

namespace jobtrail::events {

std::string PodRef::text() const {
  if (namespace_name.empty()) return "local/" + (pod_name.empty() ? std::string("record") : pod_name);
  return namespace_name + "/" + pod_name;
}

std::string quote_arg(const std::string& arg) {
  if (arg.empty()) return "''";
  bool plain = true;
  for (unsigned char c : arg)
    if (c < 0x21 || c == 0x7f || c == '\'' || c == '"' || c == '\\' || c == '$' || c == '`') plain = false;
  if (plain) return arg;
  std::string out = "'";
  for (unsigned char c : arg) {
    if (c == '\'') {
      out += "'\\''";
    } else if (c < 0x20 || c == 0x7f) {  // keep one event on one line
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "'";
}

std::string process_text(const nlohmann::json& event) {
  const auto& p = event.value("process", nlohmann::json::object());
  std::string out = p.value("binary", std::string("?"));
  const auto& args = p.value("args", nlohmann::json::array());
  // args[0] is argv[0]: the binary already names the program, show the rest.
  for (std::size_t i = 1; i < args.size(); ++i)
    if (args[i].is_string()) out += " " + quote_arg(args[i].get<std::string>());
  if (p.value("args_truncated", false)) out += " …(truncated)";
  return out;
}

std::string format_compact(const nlohmann::json& event, const PodRef& pod) {
  const std::string type = event.value("type", std::string());
  std::string line;
  if (type.rfind("process_", 0) == 0 || type == "lost" || type == "job_identity" ||
      type == "family_missing")
    line = format_compact_process(event, pod);
  else if (type.rfind("file_", 0) == 0)
    line = format_compact_file(event, pod);
  else if (type.rfind("net_", 0) == 0 || type.rfind("dns_", 0) == 0)
    line = format_compact_net(event, pod);
  else if (type.rfind("priv_", 0) == 0 || type == "capability")
    line = format_compact_priv(event, pod);
  else if (type == "finding")
    line = format_compact_finding(event, pod);
  if (!line.empty()) return line;
  std::string generic = "•  " + type + " " + pod.text();
  if (event.contains("process")) generic += " " + process_text(event);
  return generic;
}

}  // namespace jobtrail::events
