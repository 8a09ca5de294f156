#pragma once
// exec_id -> what other events need about a process (binary, args, pid...), so file/net/priv
// events and exits carry process fields. Bounded twice: entries of exited execs are kept in a
// retirement queue of fixed size, since forked children may still report under that exec_id;
// and the bytes of all entries stay under max_bytes (the sidecar's memory budget): past it the
// oldest retired entries go first, then a new entry is kept without its argv, and if even that
// does not fit, not at all. The process_exec event itself always carries the full argv.
#include <cstdint>
#include <deque>
#include <limits>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "trail/events/json_bytes.hpp"

namespace jobtrail::sidecar {

class ExecTable {
 public:
  explicit ExecTable(std::size_t retired_max = 8192, std::size_t max_bytes = std::numeric_limits<std::size_t>::max())
      : retired_max_(retired_max), max_bytes_(max_bytes) {}
  void add(std::uint64_t exec_id, nlohmann::json process) {
    erase(exec_id);
    std::size_t cost = events::json_bytes(process) + kEntryBytes;
    while (bytes_ + cost > max_bytes_ && !retired_.empty()) {
      erase(retired_.front());
      retired_.pop_front();
    }
    if (bytes_ + cost > max_bytes_ && process.contains("args")) {
      process.erase("args");
      ++args_not_kept_;
      cost = events::json_bytes(process) + kEntryBytes;
    }
    if (bytes_ + cost > max_bytes_) {
      ++not_kept_;
      return;
    }
    live_[exec_id] = Entry{std::move(process), cost};
    bytes_ += cost;
  }
  const nlohmann::json* find(std::uint64_t exec_id) const {
    auto it = live_.find(exec_id);
    return it == live_.end() ? nullptr : &it->second.process;
  }
  // The exec's own process exited: keep it findable for a while, then forget it.
  void retire(std::uint64_t exec_id) {
    retired_.push_back(exec_id);
    while (retired_.size() > retired_max_) {
      erase(retired_.front());
      retired_.pop_front();
    }
  }
  std::size_t size() const { return live_.size(); }
  std::size_t bytes() const { return bytes_; }
  // Degradations past the budget, for /metrics: entries kept without argv, entries not kept.
  std::uint64_t args_not_kept() const { return args_not_kept_; }
  std::uint64_t not_kept() const { return not_kept_; }

 private:
  static constexpr std::size_t kEntryBytes = 64;  // hash node and key
  struct Entry {
    nlohmann::json process;
    std::size_t bytes = 0;
  };
  void erase(std::uint64_t exec_id) {
    auto it = live_.find(exec_id);
    if (it == live_.end()) return;
    bytes_ -= it->second.bytes;
    live_.erase(it);
  }

  std::unordered_map<std::uint64_t, Entry> live_;
  std::deque<std::uint64_t> retired_;
  std::size_t retired_max_, max_bytes_;
  std::size_t bytes_ = 0;
  std::uint64_t args_not_kept_ = 0, not_kept_ = 0;
};

}  // namespace jobtrail::sidecar
