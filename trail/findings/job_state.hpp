#pragma once
// What the engine remembers about the job so far, shared by the rules: the execs (by exec_id,
// host pid and pod-namespace pid) and the addresses DNS answers explained. Bounded: beyond
// `max_tracked` entries the oldest are forgotten (counted in evicted()).
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

namespace jobtrail::findings {

struct ExecInfo {
  std::uint64_t exec_id = 0, parent_exec_id = 0, seq = 0;
  std::int64_t pid = -1, ns_pid = -1;
  std::string binary, name;  // name: basename of argv[0] or binary
  nlohmann::json env;        // the allow-listed env object of the exec (may be null)
  std::uint64_t stdin_pipe = 0, stdout_pipe = 0;  // pipe inodes of fd 0 / fd 1 at exec, 0 if not a pipe
  std::string cwd;
  bool downloader = false;  // curl or wget
  std::vector<std::string> tools;  // tool_names() at exec: what later events of this exec are
  std::string build_step;   // "npm install" when a package-install or build command (tool_names.hpp), else ""
  std::uint64_t mnt_ns = 0, net_ns = 0;  // namespace inodes at exec (0 if not recorded)
};

class JobState {
 public:
  explicit JobState(std::size_t max_tracked) : max_(max_tracked) {}
  // Learns from one event (process_exec, dns_answer); call before the rules see it.
  void observe(const nlohmann::json& ev);

  const ExecInfo* exec(std::uint64_t exec_id) const;
  // The exec a /proc/<pid>/ path most likely names: pod-namespace pid first, then host pid.
  const ExecInfo* exec_by_visible_pid(std::int64_t pid) const;
  // The asked name whose DNS answer held `address`, or "" if none did.
  std::string name_for(const std::string& address) const;
  // The downloader (curl/wget) exec whose stdout is the pipe `inode`, if any.
  const ExecInfo* downloader_on_pipe(std::uint64_t inode) const;
  std::uint64_t evicted() const { return evicted_; }

 private:
  std::size_t max_;
  std::map<std::uint64_t, ExecInfo> execs_;  // ordered: evict the oldest exec_id
  std::unordered_map<std::int64_t, std::uint64_t> by_pid_, by_ns_pid_;
  std::unordered_map<std::uint64_t, std::uint64_t> download_pipes_;  // stdout pipe inode -> exec_id
  std::unordered_map<std::string, std::string> names_;
  std::deque<std::string> name_order_;
  std::uint64_t evicted_ = 0;
};

}  // namespace jobtrail::findings
