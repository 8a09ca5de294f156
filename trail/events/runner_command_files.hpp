#pragma once
// The GitHub Actions runner's command files: a step appends to $GITHUB_ENV, $GITHUB_OUTPUT,
// $GITHUB_PATH, $GITHUB_STEP_SUMMARY (and the runner's $GITHUB_STATE) to change what later
// steps run and see. The runner creates them in <runner>/_work/_temp/_runner_file_commands/ as
// set_env_<guid>, set_output_<guid>, add_path_<guid>, step_summary_<guid>, save_state_<guid>.
// Pure, no I/O.
#include <string>

namespace jobtrail::events {

// "GITHUB_ENV", "GITHUB_OUTPUT", "GITHUB_PATH", "GITHUB_STEP_SUMMARY", "GITHUB_STATE" for a path
// in a _runner_file_commands folder under _work/_temp, "runner_file_command" for another file
// there, "" for any other path.
std::string runner_command_file(const std::string& path);

}  // namespace jobtrail::events
