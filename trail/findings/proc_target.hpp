#pragma once
// /proc/<pid>/<file> paths of another process, shared by process-memory-read and
// proc-environ-read.
#include <cstdint>
#include <optional>
#include <string>

#include "trail/findings/job_state.hpp"
#include "trail/findings/event_view.hpp"

namespace jobtrail::findings {

struct ProcTarget {
  std::int64_t pid;  // as written in the path (the pid namespace of that /proc)
  std::string file;  // "mem", "maps", "environ" (also under task/<tid>/)
};

// "/proc/123/mem" or "/proc/123/task/124/mem" -> {123, "mem"}; self/thread-self and
// non-numeric names -> nullopt.
std::optional<ProcTarget> parse_proc_path(const std::string& path);

// True when `pid` names the process of `ev` itself (or another process of the same exec:
// a fork inspecting its parent, as LeakSanitizer's ptrace helper does).
bool is_same_process(const json& ev, std::int64_t pid, const JobState& st);

// "Runner.Worker (pid 42)" / "pid 42" for titles; sets *runner when the target is Runner.Worker.
std::string target_text(std::int64_t pid, const JobState& st, bool* runner);

}  // namespace jobtrail::findings
