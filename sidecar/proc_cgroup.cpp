#include "sidecar/proc_cgroup.hpp"

namespace jobtrail::sidecar {

std::optional<std::string> cgroup_v2_path(std::string_view text) {
  while (!text.empty()) {
    const auto nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    if (line.starts_with("0::") && line.size() > 3) return std::string(line.substr(3));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return std::nullopt;
}

}  // namespace jobtrail::sidecar
