#pragma once
// exec_id -> what other events need about a process (binary, args, pid...), so file/net/priv
// events and exits carry process fields. Bounded: entries of exited execs are kept in a
// retirement queue of fixed size, since forked children may still report under that exec_id.
#include <cstdint>
#include <deque>
#include <unordered_map>

#include <nlohmann/json.hpp>

namespace jobtrail::sidecar {

class ExecTable {
 public:
  explicit ExecTable(std::size_t retired_max = 8192) : retired_max_(retired_max) {}
  void add(std::uint64_t exec_id, nlohmann::json process) { live_[exec_id] = std::move(process); }
  const nlohmann::json* find(std::uint64_t exec_id) const {
    auto it = live_.find(exec_id);
    return it == live_.end() ? nullptr : &it->second;
  }
  // The exec's own process exited: keep it findable for a while, then forget it.
  void retire(std::uint64_t exec_id) {
    retired_.push_back(exec_id);
    while (retired_.size() > retired_max_) {
      live_.erase(retired_.front());
      retired_.pop_front();
    }
  }
  std::size_t size() const { return live_.size(); }

 private:
  std::unordered_map<std::uint64_t, nlohmann::json> live_;
  std::deque<std::uint64_t> retired_;
  std::size_t retired_max_;
};

}  // namespace jobtrail::sidecar
