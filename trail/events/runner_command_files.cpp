#include "trail/events/runner_command_files.hpp"

#include <array>
#include <string_view>
#include <utility>

namespace jobtrail::events {

std::string runner_command_file(const std::string& path) {
  static constexpr std::string_view kFolder = "/_work/_temp/_runner_file_commands/";
  const auto at = path.find(kFolder);
  if (at == std::string::npos) return "";
  const std::string_view name = std::string_view(path).substr(at + kFolder.size());
  if (name.empty() || name.find('/') != std::string_view::npos) return "";  // the folder, or deeper
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kPrefixes{{
      {"set_env_", "GITHUB_ENV"},
      {"set_output_", "GITHUB_OUTPUT"},
      {"add_path_", "GITHUB_PATH"},
      {"step_summary_", "GITHUB_STEP_SUMMARY"},
      {"save_state_", "GITHUB_STATE"},
  }};
  for (const auto& [prefix, variable] : kPrefixes)
    if (name.substr(0, prefix.size()) == prefix) return std::string(variable);
  return "runner_file_command";
}

}  // namespace jobtrail::events
