#include "trail/archive/reader.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "trail/archive/line_reader.hpp"

namespace jobtrail::archive {

using nlohmann::json;

ArchiveLocation open_archive(const std::string& where, storage::StoreOptions options) {
  std::string url = where;
  while (url.size() > 1 && url.back() == '/' && !url.ends_with("://")) url.pop_back();
  if (url.ends_with("/" + std::string(manifest_name))) url.resize(url.size() - manifest_name.size() - 1);
  options.url = url;
  return {storage::open_store(options), ""};
}

Reader::Reader(std::shared_ptr<storage::Store> store, std::string archive_prefix)
    : store_(std::move(store)), prefix_(std::move(archive_prefix)) {}

const std::optional<Manifest>& Reader::manifest() {
  if (manifest_loaded_) return manifest_;
  manifest_loaded_ = true;
  std::string body;
  try {
    body = store_->get(prefix_ + std::string(manifest_name));
  } catch (const storage::StoreError& e) {
    if (e.code() == "NoSuchKey") return manifest_;
    throw;
  }
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded()) throw std::runtime_error("manifest.json in " + store_->url() + " is not valid JSON");
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
  for (auto& name : segment_names()) {
    std::unique_ptr<std::istream> in;
    try {
      in = store_->open_read(prefix_ + name);
    } catch (const std::exception& e) {
      problems_.push_back(name + ": " + e.what());
      spdlog::warn("{}: cannot read ({}); skipped", name, e.what());
      continue;
    }
    LineReader reader(*in);
    while (reader.next(line))
      if (!fn(line)) return;
    if (!reader.error().empty()) {
      problems_.push_back(name + ": " + reader.error());
      spdlog::warn("{}: {}; the rest of this segment is unreadable", name, reader.error());
    }
  }
}

void Reader::for_each_event(const std::function<bool(const json&)>& fn) {
  for_each_line([&](std::string_view line) {
    json ev = json::parse(line, nullptr, false);
    if (ev.is_discarded()) {
      problems_.push_back("an event line is not valid JSON");
      return true;
    }
    return fn(ev);
  });
}

}  // namespace jobtrail::archive
