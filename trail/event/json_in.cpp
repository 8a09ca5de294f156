#include "trail/event/json_in.hpp"

#include <algorithm>
#include <limits>

#include "trail/text/exact_bytes.hpp"

namespace jobtrail::event::json_in {

bool fail(Failure& f, std::string_view family, std::string_view key) {
  f.where.assign(family);
  f.where += '.';
  f.where.append(key.substr(0, 64));  // the job chose the key
  return false;
}

bool is_null(Element v) { return v.is_null(); }

bool read(Element v, std::string& out) {
  std::string_view s;
  if (v.get_string().get(s)) return false;
  out.assign(s);
  return true;
}

bool read(Element v, bool& out) { return !v.get_bool().get(out); }

bool read(Element v, std::uint64_t& out) { return !v.get_uint64().get(out); }

bool read(Element v, std::uint32_t& out) {
  std::uint64_t n = 0;
  if (v.get_uint64().get(n) || n > std::numeric_limits<std::uint32_t>::max()) return false;
  out = static_cast<std::uint32_t>(n);
  return true;
}

bool read(Element v, std::int64_t& out) { return !v.get_int64().get(out); }

bool read_strings(Element v, std::vector<std::string>& out) {
  simdjson::dom::array a;
  if (v.get_array().get(a)) return false;
  out.clear();
  out.reserve(a.size());
  for (Element e : a) {
    std::string_view s;
    if (e.get_string().get(s)) return false;
    out.emplace_back(s);
  }
  return true;
}

bool read_numbers(Element v, std::vector<std::uint64_t>& out) {
  simdjson::dom::array a;
  if (v.get_array().get(a)) return false;
  out.clear();
  out.reserve(a.size());
  for (Element e : a) {
    std::uint64_t n = 0;
    if (e.get_uint64().get(n)) return false;
    out.push_back(n);
  }
  return true;
}

bool read_object(Element v, Object& out) { return !v.get_object().get(out); }

bool read_text_or_number(Element v, std::string& out) {
  if (v.is_string()) return read(v, out);
  if (std::uint64_t u = 0; !v.get_uint64().get(u)) return out = std::to_string(u), true;
  if (std::int64_t i = 0; !v.get_int64().get(i)) return out = std::to_string(i), true;
  return false;
}

std::string compact(Object v) { return simdjson::minify(v); }

namespace {
constexpr std::string_view kSuffix = text::exact_bytes_suffix;

std::optional<std::string> decoded(Element v) {
  std::string_view s;
  if (v.get_string().get(s)) return std::nullopt;
  return text::base64_decode(s);
}
}  // namespace

bool ExactBytes::note(std::string_view key, Element v) {
  if (key.size() <= kSuffix.size() || key.substr(key.size() - kSuffix.size()) != kSuffix) return false;
  const auto base = key.substr(0, key.size() - kSuffix.size());
  if (v.is_string()) {
    if (auto bytes = decoded(v)) strings_.insert_or_assign(base, std::move(*bytes));
    else strings_.erase(base);  // the last sibling is no base64: the readable form stays
    return true;
  }
  simdjson::dom::array a;
  if (v.get_array().get(a)) return false;
  std::vector<std::optional<std::string>> list;
  list.reserve(a.size());
  for (Element e : a) list.push_back(decoded(e));
  arrays_.insert_or_assign(base, std::move(list));
  return true;
}

void ExactBytes::apply(std::string_view key, std::string& s) const {
  if (auto it = strings_.find(key); it != strings_.end()) s = it->second;
}

void ExactBytes::apply(std::string_view key, std::optional<std::string>& s) const {
  if (s) apply(key, *s);
}

void ExactBytes::apply(std::string_view key, std::vector<std::string>& list) const {
  const auto it = arrays_.find(key);
  if (it == arrays_.end() || it->second.size() != list.size()) return;  // a sibling of another length names no element
  for (std::size_t i = 0; i < list.size(); ++i)
    if (it->second[i]) list[i] = *it->second[i];
}

bool read_string_map(Element v, std::vector<std::pair<std::string, std::string>>& out) {
  Object o;
  if (!read_object(v, o)) return false;
  ExactBytes exact;
  out.clear();
  for (auto [key, value] : o) {
    if (exact.note(key, value)) continue;
    std::string s;
    if (!read(value, s)) return false;
    out.emplace_back(std::string(key), std::move(s));
  }
  for (auto& [key, value] : out) exact.apply(key, value);
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  // A key given twice: the last value, as a JSON object reader keeps it.
  auto last = std::unique(out.rbegin(), out.rend(), [](const auto& a, const auto& b) { return a.first == b.first; });
  out.erase(out.begin(), last.base());
  return true;
}

}  // namespace jobtrail::event::json_in
