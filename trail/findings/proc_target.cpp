#include "trail/findings/proc_target.hpp"

#include "trail/events/number_text.hpp"

namespace jobtrail::findings {

std::optional<ProcTarget> parse_proc_path(const std::string& path) {
  if (path.rfind("/proc/", 0) != 0) return std::nullopt;
  std::string rest = path.substr(6);
  auto slash = rest.find('/');
  if (slash == std::string::npos) return std::nullopt;
  const auto pid = events::parse_decimal<std::uint32_t>(std::string_view(rest).substr(0, slash));
  if (!pid) return std::nullopt;  // "self", "-1", "0x10", or more digits than any pid has
  ProcTarget t{*pid, rest.substr(slash + 1)};
  if (t.file.rfind("task/", 0) == 0) {  // task/<tid>/mem
    auto s = t.file.find('/', 5);
    t.file = s == std::string::npos ? std::string() : t.file.substr(s + 1);
  }
  return t;
}

bool is_same_process(const json& ev, std::int64_t pid, const JobState& st) {
  if (pid == pid_of(ev) || pid == ns_pid_of(ev)) return true;
  const auto* target = st.exec_by_visible_pid(pid);
  return target && target->exec_id == exec_id_of(ev) && exec_id_of(ev) != 0;
}

std::string target_text(std::int64_t pid, const JobState& st, bool* runner) {
  const auto* target = st.exec_by_visible_pid(pid);
  std::string who = "pid " + std::to_string(pid);
  if (!target) return who;
  const std::string name = basename_of(target->binary);
  if (runner) *runner = name == "Runner.Worker" || target->name == "Runner.Worker";
  return name + " (" + who + ", exec " + std::to_string(target->exec_id) + ")";
}

}  // namespace jobtrail::findings
