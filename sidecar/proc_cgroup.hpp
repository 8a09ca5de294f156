#pragma once
// Reading /proc/<pid>/cgroup (pure: the caller reads the file). Hybrid hosts list their cgroup v1
// hierarchies first ("9:name=systemd:/..."); only the "0::PATH" line is cgroup v2.
#include <optional>
#include <string>
#include <string_view>

namespace jobtrail::sidecar {

// PATH of the "0::PATH" line: the host path without a cgroup namespace, relative to the
// namespace's root inside one ("/" at the root). nullopt when there is no such line.
std::optional<std::string> cgroup_v2_path(std::string_view proc_cgroup_text);

}  // namespace jobtrail::sidecar
