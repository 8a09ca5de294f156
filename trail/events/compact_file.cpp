// Compact lines of the file family:
//   📂 open    ns/pod /usr/bin/cc /src/main.c read x12 read 4096 written 0
//   📝 rename  ns/pod /bin/mv /tmp/a -> /tmp/b
//   📝 unlink  ns/pod /bin/rm /tmp/b ENOENT
#include "trail/events/compact.hpp"

namespace jobtrail::events {
namespace {

using nlohmann::json;

std::string num(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->dump() : std::string("0");
}

std::string modes(const json& file) {
  std::string out;
  for (const auto& m : file.value("mode", json::array()))
    if (m.is_string()) out += (out.empty() ? "" : "|") + m.get<std::string>();
  return out.empty() ? "?" : out;
}

std::string result_suffix(const json& file) {
  auto it = file.find("result");
  if (it == file.end() || !it->is_string()) return {};
  std::string r = it->get<std::string>();
  return r == "ok" ? std::string() : " " + r;
}

}  // namespace

std::string format_compact_file(const nlohmann::json& event, const PodRef& pod) {
  const std::string type = event.value("type", std::string());
  const json file = event.value("file", json::object());
  const std::string who = pod.text() + " " + process_text(event) + " ";
  const std::string path = file.value("path", std::string("?"));
  if (type == "file_open") {
    std::string line = "📂 open    " + who + path + " " + modes(file);
    auto count = file.value("count", 1);
    if (count > 1) line += " x" + std::to_string(count);
    line += result_suffix(file);
    if (file.contains("bytes_read") || file.contains("bytes_written"))
      line += " read " + num(file, "bytes_read") + " written " + num(file, "bytes_written");
    return line;
  }
  if (type == "file_io")
    return "💾 io      " + who + path + " read " + num(file, "bytes_read") + " written " + num(file, "bytes_written");
  if (type == "file_change") {
    std::string op = file.value("op", std::string("change"));
    op.resize(std::max<std::size_t>(op.size(), 7), ' ');
    std::string line = "📝 " + op + " " + who + path;
    if (file.contains("new_path")) line += " -> " + file.value("new_path", std::string("?"));
    if (file.contains("mode_bits")) line += " mode " + file.value("mode_bits", std::string());
    if (file.contains("owner")) line += " owner " + file["owner"].dump();
    return line + result_suffix(file);
  }
  return {};
}

}  // namespace jobtrail::events
