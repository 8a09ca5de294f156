#pragma once
// Address -> name, learned from the DNS answers of this job, so connections can be shown as
// "13.107.42.16:443 (github.com)". A CNAME chain is resolved to the name the process asked
// for (the question), which is what a reader recognises. Bounded: the oldest entries are
// dropped once max_entries is reached (a count of drops is kept, never silent).
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>

#include "trail/dns/message.hpp"

namespace jobtrail::dns {

class NameTable {
 public:
  explicit NameTable(std::size_t max_entries = 65536) : max_entries_(max_entries) {}
  // Learns every A/AAAA answer of a response, under the question's name.
  void learn(const Message& response);
  // The name for an address text ("13.107.42.16", "2001:db8::1"), "" if unknown.
  std::string lookup(const std::string& address) const;
  std::size_t size() const { return names_.size(); }
  std::uint64_t dropped() const { return dropped_; }

 private:
  std::size_t max_entries_;
  std::unordered_map<std::string, std::string> names_;
  std::deque<std::string> order_;  // insertion order, for eviction
  std::uint64_t dropped_ = 0;
};

}  // namespace jobtrail::dns
