#include "trail/dns/tcp_stream.hpp"

#include <algorithm>

namespace jobtrail::dns {

TcpSplit split_tcp_messages(std::span<const std::uint8_t> bytes) {
  TcpSplit out;
  std::size_t at = 0;
  while (bytes.size() - at >= 2) {
    const std::size_t len = static_cast<std::size_t>(bytes[at]) << 8 | bytes[at + 1];
    if (bytes.size() - at - 2 < len) break;
    out.messages.push_back(bytes.subspan(at + 2, len));
    at += 2 + len;
  }
  out.consumed = at;
  return out;
}

TcpStreams::Fed TcpStreams::feed(const std::string& stream, std::span<const std::uint8_t> segment,
                                 bool captured_all) {
  Fed fed;
  std::vector<std::uint8_t> data;
  if (auto it = pending_.find(stream); it != pending_.end()) {
    data = std::move(it->second);
    pending_.erase(it);
    order_.erase(std::find(order_.begin(), order_.end(), stream));
  }
  data.insert(data.end(), segment.begin(), segment.end());

  const TcpSplit split = split_tcp_messages(data);
  for (auto m : split.messages) fed.messages.push_back({{m.begin(), m.end()}, false});
  std::span<const std::uint8_t> rest = std::span<const std::uint8_t>(data).subspan(split.consumed);
  if (rest.empty()) return fed;

  const bool keep = captured_all && rest.size() <= max_pending_;
  if (!keep) {
    // What follows in the stream is unknown: decode what there is, keep nothing.
    if (rest.size() > 2) fed.messages.push_back({{rest.begin() + 2, rest.end()}, true});
    fed.error = captured_all ? "tcp message longer than " + std::to_string(max_pending_) + " bytes of reassembly"
                             : "tcp segment cut by the capture limit";
    return fed;
  }
  if (pending_.size() >= max_streams_ && !order_.empty()) {  // the oldest unfinished stream goes
    pending_.erase(order_.front());
    order_.pop_front();
    ++evicted_;
  }
  pending_.emplace(stream, std::vector<std::uint8_t>(rest.begin(), rest.end()));
  order_.push_back(stream);
  return fed;
}

}  // namespace jobtrail::dns
