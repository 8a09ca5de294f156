// Dispatcher of the compact form: picks the family formatter by the type's prefix.
#include "trail/events/compact.hpp"

#include "trail/events/types.hpp"
#include "trail/text/exact_bytes.hpp"
#include "trail/text/terminal_text.hpp"

namespace jobtrail::events {

using nlohmann::json;

std::string PodRef::text() const {
  if (namespace_name.empty())
    return "local/" + (pod_name.empty() ? std::string("record") : text::terminal_safe(pod_name));
  return text::terminal_safe(namespace_name) + "/" + text::terminal_safe(pod_name);
}

const json& member(const json& obj, const char* key) {
  static const json none;
  if (!obj.is_object()) return none;
  auto it = obj.find(key);
  return it == obj.end() ? none : *it;
}

std::string text(const json& obj, const char* key, const std::string& fallback) {
  const json& v = member(obj, key);
  if (v.is_string()) return text::terminal_safe(text::exact_string(obj, key).value_or(""));
  if (v.is_number_integer() || v.is_number_unsigned() || v.is_boolean()) return v.dump();
  if (v.is_number_float()) return v.dump();
  return fallback;
}

std::int64_t integer(const json& obj, const char* key, std::int64_t fallback) {
  const json& v = member(obj, key);
  if (v.is_number_unsigned())
    return v.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX) ? fallback : v.get<std::int64_t>();
  if (v.is_number_integer()) return v.get<std::int64_t>();
  return fallback;
}

bool flag(const json& obj, const char* key) {
  const json& v = member(obj, key);
  return v.is_boolean() && v.get<bool>();
}

std::string quote_arg(const std::string& arg) {
  if (arg.empty()) return "''";
  const std::string safe = text::terminal_safe(arg);
  bool plain = safe == arg;
  for (unsigned char c : arg)
    if (c < 0x21 || c == '\'' || c == '"' || c == '$' || c == '`') plain = false;
  if (plain) return arg;
  std::string out = "'";
  for (char c : safe) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string process_text(const json& event) {
  const json& p = member(event, "process");
  std::string out = text(p, "binary", "?");
  const auto args = text::exact_strings(p, "args");
  // args[0] is argv[0]: the binary already names the program, show the rest.
  for (std::size_t i = 1; i < args.size(); ++i) out += " " + quote_arg(args[i]);
  if (flag(p, "args_truncated")) out += " …(truncated)";
  return out;
}

std::string format_compact(const json& event, const PodRef& pod) {
  const std::string type = text(event, "type");
  std::string line;
  if (type.rfind("process_", 0) == 0 || type == events::type_name::lost || type == events::type_name::job_identity ||
      type == events::type_name::family_missing)
    line = format_compact_process(event, pod);
  else if (type.rfind("file_", 0) == 0)
    line = format_compact_file(event, pod);
  else if (type.rfind("net_", 0) == 0 || type.rfind("dns_", 0) == 0)
    line = format_compact_net(event, pod);
  else if (type.rfind("priv_", 0) == 0 || type == events::type_name::capability)
    line = format_compact_priv(event, pod);
  else if (type == events::type_name::finding)
    line = format_compact_finding(event, pod);
  if (!line.empty()) return line;
  std::string generic = "•  " + (type.empty() ? std::string("?") : type) + " " + pod.text();
  if (member(event, "process").is_object()) generic += " " + process_text(event);
  return generic;
}

}  // namespace jobtrail::events
