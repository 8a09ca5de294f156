#pragma once
// What the HTML report shows beyond the summary, as one streaming fold: the process tree (for
// the interactive tree and the process timeline) and the connections (for the connection
// timeline). Bounded: huge archives keep the first max_processes / max_connections and count
// the rest, and the report says so.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include <unordered_map>

#include "trail/summary/job_steps.hpp"
#include "trail/summary/process_tree.hpp"

namespace jobtrail::summary {

struct ReportLimits {
  std::size_t max_processes = 20'000;
  std::size_t max_connections = 20'000;
  std::size_t max_arg_chars = 2'000;  // one process's argv text in the report
};

class ReportModel {
 public:
  explicit ReportModel(ReportLimits l = {});
  void add(const nlohmann::json& event);
  // {processes:[{id, parent (index or -1), exec_id, pid, binary, args[], args_truncated, cwd,
  //   start, end, exit_code, signal, step}], connections:[{time, type, address, port, protocol, name,
  //   result, bytes_sent, bytes_received, pid, exec_id, binary, step, seq}], steps, elided:{processes,
  //   connections}}; step is the job step (summary/job_steps.hpp), 0 when none is known.
  // Times are RFC 3339 text as in the trail. Call once, after the last add().
  nlohmann::json finish();

 private:
  ReportLimits limits_;
  ProcessTree tree_;
  JobSteps steps_;
  std::unordered_map<std::string, int> step_of_exec_;  // steps of the execs the tree keeps
  nlohmann::json connections_ = nlohmann::json::array();
  std::uint64_t connections_elided_ = 0;
};

}  // namespace jobtrail::summary
