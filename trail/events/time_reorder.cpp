#include "trail/events/time_reorder.hpp"

#include <algorithm>
#include <limits>

#include "trail/summary/fields.hpp"

namespace jobtrail::events {

std::optional<std::int64_t> event_time_ns(const nlohmann::json& event) {
  if (!event.is_object()) return std::nullopt;
  auto t = event.find("time");
  if (t == event.end() || !t->is_string()) return std::nullopt;
  return summary::parse_rfc3339_ns(t->get_ref<const std::string&>());
}

void TimeReorder::add(std::optional<std::int64_t> event_ns, std::int64_t now_ns, std::string line, std::string& out) {
  const std::int64_t at = event_ns ? std::min(*event_ns, now_ns) : now_ns;
  bytes_ += line.size();
  held_.emplace(Key{at, arrivals_++}, std::move(line));
  while (!held_.empty() && (held_.size() > limits_.max_lines || bytes_ > limits_.max_bytes)) {
    ++released_early_;
    write_oldest(out);
  }
}

void TimeReorder::release(std::int64_t now_ns, std::string& out) {
  if (now_ns < std::numeric_limits<std::int64_t>::min() + limits_.hold_ns) return;  // nothing is that old
  const std::int64_t due = now_ns - limits_.hold_ns;
  while (!held_.empty() && held_.begin()->first.first <= due) write_oldest(out);
}

void TimeReorder::flush(std::string& out) {
  while (!held_.empty()) write_oldest(out);
}

void TimeReorder::write_oldest(std::string& out) {
  auto it = held_.begin();
  const std::int64_t at = it->first.first;
  if (last_written_ns_ && at < *last_written_ns_) ++out_of_order_;
  else last_written_ns_ = at;
  bytes_ -= it->second.size();
  out += it->second;
  held_.erase(it);
}

}  // namespace jobtrail::events
