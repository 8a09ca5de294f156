#include "trail/archive/layout.hpp"

#include <charconv>
#include <chrono>
#include <cstdio>
#include <fstream>

#include <nlohmann/json.hpp>

#include "trail/archive/manifest.hpp"
#include "trail/archive/spool.hpp"

namespace jobtrail::archive {

bool is_manifest_name(std::string_view name) { return name == manifest_name || name == legacy_manifest_name; }

std::string partition_component(std::string_view raw) {
  std::string out = key_component(raw);
  for (char& c : out)
    if (c == '=') c = '-';
  if (out.front() == '_' || out.front() == '.') out.front() = '-';
  return out;
}

std::string partition_date(std::string_view t) {
  auto digits = [&](std::size_t from, std::size_t n) {
    for (std::size_t i = from; i < from + n; ++i)
      if (i >= t.size() || t[i] < '0' || t[i] > '9') return false;
    return true;
  };
  if (digits(0, 4) && t.size() > 4 && t[4] == '-' && digits(5, 2) && t.size() > 7 && t[7] == '-' && digits(8, 2))
    return std::string(t.substr(0, 10));
  return "1970-01-01";
}

std::string archive_prefix(std::string_view ns, std::string_view pod, std::string_view uid, std::string_view date) {
  return std::string(events_root) + "dt=" + partition_date(date) + "/" + partition_component(ns) + "/" +
         partition_component(pod) + "/" + partition_component(uid) + "/";
}

std::vector<std::string> pod_folders(std::string_view ns, std::string_view pod, std::string_view date, int days_before,
                                     int days_after) {
  using namespace std::chrono;
  std::vector<std::string> out{"pods/" + key_component(ns) + "/" + key_component(pod) + "/"};
  const std::string day = partition_date(date);
  auto number = [&](std::size_t at, std::size_t n) {  // partition_date checked that these are digits
    int v = 0;
    std::from_chars(day.data() + at, day.data() + at + n, v);
    return v;
  };
  const year_month_day ymd{year{number(0, 4)}, month{static_cast<unsigned>(number(5, 2))},
                           std::chrono::day{static_cast<unsigned>(number(8, 2))}};
  if (!ymd.ok()) return out;  // a hostile date names no layout-2 folder
  const auto base = sys_days{ymd};
  for (int d = -days_before; d <= days_after; ++d) {
    const year_month_day when{base + days{d}};
    char text[16];
    std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(when.year()), static_cast<unsigned>(when.month()),
                  static_cast<unsigned>(when.day()));
    out.push_back(std::string(events_root) + "dt=" + text + "/" + partition_component(ns) + "/" + partition_component(pod) + "/");
  }
  return out;
}

std::string summary_key(std::string_view name, std::string_view date) {
  return std::string(summaries_root) + "dt=" + partition_date(date) + "/" + partition_component(name) + ".json";
}

std::optional<std::string> read_manifest_body(storage::Store& store, const std::string& prefix) {
  for (auto name : {manifest_name, legacy_manifest_name}) {
    try {
      return store.get(prefix + std::string(name));
    } catch (const storage::StoreError& e) {
      if (e.code() != "NoSuchKey") throw;
    }
  }
  return std::nullopt;
}

std::string spooled_archive_prefix(const std::filesystem::path& spool_dir, const std::string& store_url) {
  std::error_code ec;
  for (auto& entry : std::filesystem::directory_iterator(spool_dir, ec)) {
    std::ifstream in(entry.path() / std::string(journal_name));
    std::string first;
    if (!in || !std::getline(in, first) || first.size() > 64 * 1024) continue;
    auto rec = nlohmann::json::parse(first, nullptr, false);
    if (!rec.is_object() || rec.value("t", "") != "archive" || rec.value("store", "") != store_url) continue;
    auto prefix = rec.find("archive_prefix");
    if (prefix != rec.end() && prefix->is_string()) return prefix->get<std::string>();
  }
  return "";
}

}  // namespace jobtrail::archive
