#include "trail/events/types.hpp"
#include "trail/findings/rule_util.hpp"

#include <algorithm>
#include <cctype>

namespace jobtrail::findings {

std::string command_text(const json& ev) {
  std::string out = binary_of(ev);
  auto args = args_of(ev);
  for (std::size_t i = 1; i < args.size() && i <= 6; ++i) out += " " + args[i];
  if (args.size() > 7) out += " …";
  for (auto& c : out)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';  // one line
  if (out.size() > 160) out = out.substr(0, 157) + "...";
  return out;
}

bool has_flag(const json& value, unsigned long bit, const char* name) {
  if (value.is_number_unsigned() || value.is_number_integer()) return (value.get<unsigned long>() & bit) != 0;
  if (!value.is_string()) return false;
  std::string s = value.get<std::string>(), n = name;
  auto lowered = [](std::string x) {
    std::transform(x.begin(), x.end(), x.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return x;
  };
  return lowered(s).find(lowered(n)) != std::string::npos;
}

std::string file_path(const json& ev) {
  std::string p = str_at(family(ev, "file"), "path");
  if (p.empty()) p = str_at(priv_args(ev), "path");
  return p;
}

bool file_written(const json& ev) {
  const auto& file = family(ev, "file");
  if (type_of(ev) == events::type_name::file_io) return file.value("bytes_written", 0) > 0;
  auto it = file.find("mode");
  if (it == file.end()) return false;
  auto is_write = [](const std::string& m) { return m == "write" || m == "create" || m == "truncate" || m == "append"; };
  if (it->is_string()) return is_write(it->get<std::string>());
  if (it->is_array())
    for (auto& m : *it)
      if (m.is_string() && is_write(m.get<std::string>())) return true;
  return false;
}

}  // namespace jobtrail::findings
