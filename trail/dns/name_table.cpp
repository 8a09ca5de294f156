#include "trail/dns/name_table.hpp"

namespace jobtrail::dns {

void NameTable::learn(const Message& response) {
  if (!response.response || response.qname.empty()) return;
  for (const auto& a : response.answers) {
    if ((a.type != 1 && a.type != 28) || a.data.empty()) continue;
    auto [it, inserted] = names_.insert_or_assign(a.data, response.qname);
    if (!inserted) continue;
    order_.push_back(a.data);
    if (names_.size() > max_entries_) {
      names_.erase(order_.front());
      order_.pop_front();
      ++dropped_;
    }
  }
}

std::string NameTable::lookup(const std::string& address) const {
  auto it = names_.find(address);
  return it == names_.end() ? std::string() : it->second;
}

}  // namespace jobtrail::dns
