#include "trail/event/writer.hpp"

#include <array>

#include "trail/event/writers.hpp"

namespace jobtrail::event {

namespace write {

namespace {
// The keys every event may have, in byte order.
constexpr std::array<std::string_view, 5> kCommon = {"invalid_utf8", "process", "seq", "time", "type"};
}  // namespace

Top::Top(const Event& e, json_out::Line& line) : e_(e), line_(line), o_(line) {}

void Top::common(std::size_t i) {
  switch (i) {
    case 0:  // known only at the end: the strings after it may not be UTF-8 either
      marker_ = line_.out.size();
      marker_first_ = o_.empty();
      break;
    case 1:
      if (e_.has_process) process(o_, e_.process);
      break;
    case 2:
      if (e_.seq) o_.member("seq", *e_.seq);
      break;
    case 3:
      if (!e_.time.empty()) o_.member("time", e_.time);
      break;
    case 4: o_.member("type", e_.name()); break;
  }
}

Object& Top::before(std::string_view k) {
  while (next_ < kCommon.size() && kCommon[next_] < k) common(next_++);
  return o_;
}

void Top::finish() {
  while (next_ < kCommon.size()) common(next_++);
  o_.close();
  if (!line_.invalid_utf8 && !e_.invalid_utf8) return;
  // `type` always follows, so the member inserted has one after it.
  line_.out.insert(marker_, marker_first_ ? std::string_view("\"invalid_utf8\":true,") : std::string_view(",\"invalid_utf8\":true"));
}

}  // namespace write

void write_line(const Event& e, std::string& out) {
  json_out::Line line{out};
  write::Top top(e, line);
  std::visit(
      [&](const auto& body) {
        using T = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<T, Exec>) write::exec(top, body);
        else if constexpr (std::is_same_v<T, Exit>) write::exit(top, body);
        else if constexpr (std::is_same_v<T, File>) write::file(top, body);
        else if constexpr (std::is_same_v<T, Net>) write::net(top, body);
        else if constexpr (std::is_same_v<T, Dns>) write::dns(top, body);
        else if constexpr (std::is_same_v<T, Priv>) write::priv(top, body);
        else if constexpr (std::is_same_v<T, Capability>) write::capability(top, body);
        else if constexpr (std::is_same_v<T, Lost>) write::lost(top, body);
        else if constexpr (std::is_same_v<T, Finding>) write::finding(top, body);
        else if constexpr (std::is_same_v<T, Identity>) write::identity(top, body);
        else if constexpr (std::is_same_v<T, FamilyMissing>) write::family_missing(top, body);
      },
      e.body);
  top.finish();
}

}  // namespace jobtrail::event
