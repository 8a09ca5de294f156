#pragma once
// The process tree of a trail, rebuilt from process_exec/process_exit events by exec_id and
// parent_exec_id. A fold like the summary: add() every event in order, then read nodes().
// Bounded: at most max_nodes processes are kept; the rest are counted in dropped().
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

namespace jobtrail::summary {

struct ProcessNode {
  std::string exec_id, parent_exec_id;
  std::int64_t pid = 0, ppid = 0;
  std::int64_t uid = -1;
  std::string binary, cwd;
  std::vector<std::string> args;
  bool args_truncated = false;
  std::string start_time, end_time;  // RFC 3339; end_time "" while running / exit unseen
  std::optional<std::int64_t> exit_code;
  std::string exit_signal;  // "KILL", ... when killed by a signal
  std::vector<std::size_t> children;  // indexes into nodes(), in exec order
  std::size_t parent = npos;          // index of the parent node, npos for a root
  static constexpr std::size_t npos = ~std::size_t{0};
};

class ProcessTree {
 public:
  explicit ProcessTree(std::size_t max_nodes = 1'000'000) : max_nodes_(max_nodes) {}
  void add(const nlohmann::json& event);  // ignores non-process events
  // Links children to parents (call once, after the last add()).
  void finish();
  const std::vector<ProcessNode>& nodes() const { return nodes_; }
  std::vector<std::size_t> roots() const;
  std::optional<std::size_t> find(const std::string& exec_id) const;
  std::uint64_t dropped() const { return dropped_; }

 private:
  std::size_t max_nodes_;
  std::vector<ProcessNode> nodes_;
  std::unordered_map<std::string, std::size_t> by_exec_id_;
  std::uint64_t dropped_ = 0;
};

// One line for a node: "/usr/bin/curl -k https://x [pid 12] exit 0".
std::string node_label(const ProcessNode&);

}  // namespace jobtrail::summary
