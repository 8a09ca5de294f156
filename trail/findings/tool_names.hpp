#pragma once
// What a process is, beyond its binary's name: the tools a command line runs (an interpreter's
// script or module: `node /usr/bin/npm install` is npm, `python3 -m pip` is pip) and whether it
// is a package-install or build step (npm install, pip install, make, cargo build, ...), the
// step whose lifecycle scripts (postinstall) run code that came with a dependency.
#include <string>
#include <vector>

#include "trail/findings/event_view.hpp"
#include "trail/findings/job_state.hpp"

namespace jobtrail::findings {

// program_names() plus, for an interpreter, its script's name (/usr/bin/npm -> npm,
// .../npm/bin/npm-cli.js -> npm, setup.py -> setup) or its `-m` module (pip).
std::vector<std::string> tool_names(const json& ev);
bool is_tool(const json& ev, std::initializer_list<const char*> names);
// The tool names of the process behind any event: those of its exec, else of the event's own
// process object (file and net events carry the exec's binary and args, or not).
std::vector<std::string> tools_of(const json& ev, const JobState& st);

// The command line is a package manager or build tool at work (any subcommand but the
// read-only ones: --version, help, list, config...): its text ("npm install"), else "".
std::string build_step_of(const json& ev);

// The nearest ancestor of `ev` (parent chain in `st`, bounded walk) that is a build step, or null.
const ExecInfo* build_step_ancestor(const json& ev, const JobState& st);

// "/home/runner/_work/r/r/sub" -> "/home/runner/_work/r/r" (also /__w/ of container jobs): the
// job's checkout a cwd lies in; other paths are their own root.
std::string checkout_of(const std::string& cwd);
// `path` is `root` or below it (both absolute, lexically normal).
bool is_within(const std::string& path, const std::string& root);

// Lower-case copy.
std::string lowered(std::string s);

}  // namespace jobtrail::findings
