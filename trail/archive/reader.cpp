#include "trail/archive/reader.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

#include "trail/archive/layout.hpp"
#include "trail/archive/line_reader.hpp"
#include "trail/text/terminal_text.hpp"

namespace jobtrail::archive {

using nlohmann::json;

ArchiveLocation open_archive(const std::string& where, storage::StoreOptions options) {
  std::string url = where;
  while (url.size() > 1 && url.back() == '/' && !url.ends_with("://")) url.pop_back();
  for (auto name : {manifest_name, legacy_manifest_name})
    if (url.ends_with("/" + std::string(name))) url.resize(url.size() - name.size() - 1);
  options.url = url;
  return {storage::open_store(options), ""};
}

Reader::Reader(std::shared_ptr<storage::Store> store, std::string archive_prefix)
    : store_(std::move(store)), prefix_(std::move(archive_prefix)) {}

const std::optional<Manifest>& Reader::manifest() {
  if (manifest_loaded_) return manifest_;
  manifest_loaded_ = true;
  auto body = read_manifest_body(*store_, prefix_);
  if (!body) return manifest_;
  json j = json::parse(*body, nullptr, false);
  if (j.is_discarded()) throw std::runtime_error("the manifest in " + store_->url() + " is not valid JSON");
  manifest_ = manifest_from_json(j);
  return manifest_;
}

std::vector<std::string> Reader::segment_names() {
  std::vector<std::string> names;
  if (auto& m = manifest()) {
    for (auto& s : m->segments) names.push_back(s.name);
    return names;
  }
  for (auto& o : store_->list(prefix_)) {
    auto rel = o.key.substr(prefix_.size());
    if (parse_segment_name(rel)) names.push_back(rel);
  }
  std::sort(names.begin(), names.end(),
            [](auto& a, auto& b) { return parse_segment_name(a).value_or(0) < parse_segment_name(b).value_or(0); });
  return names;
}

void Reader::for_each_line(const std::function<bool(std::string_view)>& fn) {
  std::string line;
  // A segment holds no more text than its manifest entry's events can: a bomb stops there.
  std::map<std::string, std::uint64_t> claimed_events;
  if (auto& m = manifest())
    for (auto& s : m->segments) claimed_events[s.name] = s.events;
  for (auto& name : segment_names()) {
    std::unique_ptr<std::istream> in;
    try {
      in = store_->open_read(prefix_ + name);
    } catch (const std::exception& e) {
      problems_.push_back(name + ": " + e.what());
      spdlog::warn("{}: cannot read ({}); skipped", text::terminal_safe(name), text::terminal_safe(e.what()));
      continue;
    }
    LineLimits limits;
    if (auto claimed = claimed_events.find(name); claimed != claimed_events.end())
      limits.text_bytes = text_bound_for_events(claimed->second);
    LineReader reader(*in, limits);
    while (reader.next(line))
      if (!fn(line)) return;
    if (reader.overlong_lines()) {
      problems_.push_back(name + ": " + std::to_string(reader.overlong_lines()) + " line(s) longer than " +
                          std::to_string(limits.line_bytes) + " bytes skipped");
      spdlog::warn("{}: {} line(s) longer than {} bytes skipped", text::terminal_safe(name), reader.overlong_lines(),
                   limits.line_bytes);
    }
    if (!reader.error().empty()) {
      problems_.push_back(name + ": " + reader.error());
      spdlog::warn("{}: {}; the rest of this segment is unreadable", text::terminal_safe(name),
                   text::terminal_safe(reader.error()));
    }
  }
}

std::optional<json> parse_event_line(std::string_view line) {
  // Depth of [ and { outside strings: a linear scan, no recursion.
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_event_depth) return std::nullopt;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  json ev = json::parse(line, nullptr, false);
  if (ev.is_discarded()) return std::nullopt;
  return ev;
}

void Reader::for_each_event(const std::function<bool(const json&)>& fn) {
  const std::uint64_t bad_before = bad_lines_, unhandled_before = unhandled_events_;
  for_each_line([&](std::string_view line) {
    auto ev = parse_event_line(line);
    if (!ev) {
      ++bad_lines_;
      return true;
    }
    try {
      return fn(*ev);
    } catch (const storage::StoreError&) {
      throw;
    } catch (const std::exception& e) {
      if (unhandled_events_++ == 0) first_unhandled_ = e.what();
      return true;
    }
  });
  if (bad_lines_ > bad_before)
    problems_.push_back(std::to_string(bad_lines_ - bad_before) + " event line(s) are not valid JSON (or nested deeper than " +
                        std::to_string(max_event_depth) + ")");
  if (unhandled_events_ > unhandled_before)
    problems_.push_back(std::to_string(unhandled_events_ - unhandled_before) +
                        " event(s) of an unexpected shape were skipped (first: " + first_unhandled_ + ")");
}

}  // namespace jobtrail::archive
