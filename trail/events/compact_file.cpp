// Compact lines of the file family:
//   📂 open    ns/pod /usr/bin/cc /src/main.c read x12 read 4096 written 0
//   📂 open    ns/pod /bin/bash /home/runner/_work/_temp/_runner_file_commands/set_env_.. write|append read 0 written 8 (GITHUB_ENV)
//   📝 rename  ns/pod /bin/mv /tmp/a -> /tmp/b
//   📝 unlink  ns/pod /bin/rm /tmp/b ENOENT
#include <algorithm>

#include "trail/events/compact.hpp"
#include "trail/events/types.hpp"
#include "trail/text/terminal_text.hpp"

namespace jobtrail::events {
namespace {

using nlohmann::json;

std::string modes(const json& file) {
  std::string out;
  const json& list = member(file, "mode");
  if (list.is_array())
    for (const auto& m : list)
      if (m.is_string()) out += (out.empty() ? "" : "|") + text::terminal_safe(m.get_ref<const std::string&>());
  return out.empty() ? "?" : out;
}

std::string result_suffix(const json& file) {
  const std::string r = member(file, "result").is_string() ? text(file, "result") : std::string();
  return r.empty() || r == "ok" ? std::string() : " " + r;
}

}  // namespace

std::string format_compact_file(const nlohmann::json& event, const PodRef& pod) {
  const std::string type = text(event, "type");
  const json& file = member(event, "file");
  const std::string who = pod.text() + " " + process_text(event) + " ";
  const std::string path = text(file, "path", "?");
  if (type == events::type_name::file_open) {
    std::string line = "📂 open    " + who + path + " " + modes(file);
    auto count = integer(file, "count", 1);
    if (count > 1) line += " x" + std::to_string(count);
    line += result_suffix(file);
    if (!member(file, "bytes_read").is_null() || !member(file, "bytes_written").is_null())
      line += " read " + text(file, "bytes_read", "0") + " written " + text(file, "bytes_written", "0");
    if (member(file, "command_file").is_string()) line += " (" + text(file, "command_file") + ")";
    return line;
  }
  if (type == events::type_name::file_io)
    return "💾 io      " + who + path + " read " + text(file, "bytes_read", "0") + " written " +
           text(file, "bytes_written", "0");
  if (type == events::type_name::file_change) {
    std::string op = text(file, "op", "change");
    op.resize(std::max<std::size_t>(op.size(), 7), ' ');
    std::string line = "📝 " + op + " " + who + path;
    if (!member(file, "new_path").is_null()) line += " -> " + text(file, "new_path", "?");
    if (!member(file, "mode_bits").is_null()) line += " mode " + text(file, "mode_bits");
    if (const json& owner = member(file, "owner"); owner.is_object())
      line += " owner " + text::terminal_safe(owner.dump(-1, ' ', false, json::error_handler_t::replace));
    return line + result_suffix(file);
  }
  return {};
}

}  // namespace jobtrail::events
