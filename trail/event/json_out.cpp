#include "trail/event/json_out.hpp"

#include <algorithm>
#include <charconv>

#include "trail/text/exact_bytes.hpp"
#include "trail/text/utf8.hpp"

namespace jobtrail::event::json_out {

namespace {
constexpr std::string_view kSuffix = text::exact_bytes_suffix;

template <typename T>
void integer(std::string& out, T n) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, n);  // 20 digits and a sign fit
  out.append(buf, r.ptr);
}

// The readable form of a string that is not UTF-8, and its exact bytes in base64.
void readable(std::string& out, std::string_view s) { quoted(out, text::to_valid_utf8(s)); }
void base64(std::string& out, std::string_view s) {
  out += '"';
  out += text::base64_encode(s);  // base64 needs no escaping
  out += '"';
}

// Appends `s` quoted and escaped; with `check`, stops at the first byte that does not start a
// well-formed UTF-8 sequence, takes back what it appended and returns false. One pass for both.
bool quote(std::string& out, std::string_view s, bool check) {
  static constexpr char hex[] = "0123456789abcdef";
  const std::size_t start = out.size();
  out += '"';
  std::size_t plain = 0;  // start of the run of bytes copied as they are
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      if (!check) continue;
      const std::size_t n = text::utf8_sequence_length(s, i);
      if (n == 0) return out.resize(start), false;
      i += n - 1;
      continue;
    }
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + plain, i - plain);
    plain = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out += hex[c >> 4];
        out += hex[c & 15];
    }
  }
  out.append(s.data() + plain, s.size() - plain);
  out += '"';
  return true;
}
}  // namespace

void quoted(std::string& out, std::string_view s) { quote(out, s, false); }

bool quoted_if_utf8(std::string& out, std::string_view s) { return quote(out, s, true); }

void number(std::string& out, std::uint64_t n) { integer(out, n); }
void number(std::string& out, std::int64_t n) { integer(out, n); }
void boolean(std::string& out, bool b) { out += b ? "true" : "false"; }

Object::Object(Line& line) : line_(line) { line_.out += '{'; }

void Object::key(std::string_view k) {
  if (!first_) line_.out += ',';
  first_ = false;
  quoted(line_.out, k);
  line_.out += ':';
}

void Object::chosen_key(std::string_view k) {
  if (!first_) line_.out += ',';
  first_ = false;
  if (!quoted_if_utf8(line_.out, k)) readable(line_.out, k);  // as nlohmann's replacing serializer does
  line_.out += ':';
}

void Object::close() { line_.out += '}'; }

void Object::member(std::string_view k, std::string_view s) {
  key(k);
  if (quoted_if_utf8(line_.out, s)) return;
  readable(line_.out, s);
  line_.invalid_utf8 = true;
  key(std::string(k) + std::string(kSuffix));
  base64(line_.out, s);
}

void Object::member(std::string_view k, const std::vector<std::string>& list) {
  key(k);
  line_.out += '[';
  bool exact = true;
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (i) line_.out += ',';
    if (!quoted_if_utf8(line_.out, list[i])) {
      readable(line_.out, list[i]);
      exact = false;
    }
  }
  line_.out += ']';
  if (exact) return;
  line_.invalid_utf8 = true;
  key(std::string(k) + std::string(kSuffix));
  line_.out += '[';
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (i) line_.out += ',';
    if (text::is_valid_utf8(list[i])) line_.out += "null";
    else base64(line_.out, list[i]);
  }
  line_.out += ']';
}

void Object::member(std::string_view k, const std::vector<std::uint64_t>& list) {
  key(k);
  line_.out += '[';
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (i) line_.out += ',';
    number(line_.out, list[i]);
  }
  line_.out += ']';
}

namespace {
// A map as the readers give it (and the sidecar builds it): names strictly in order, every value
// UTF-8. Then it is written as it is, without the sort.
bool in_order(const std::vector<std::pair<std::string, std::string>>& map) {
  for (std::size_t i = 0; i < map.size(); ++i) {
    if (i && !(map[i - 1].first < map[i].first)) return false;
    if (!text::is_valid_utf8(map[i].second)) return false;
  }
  return true;
}

// One key of a map to write: a name, or the `_b64` sibling of its value.
struct MapKey {
  std::string_view name;
  bool sibling;
  const std::string* value;
  std::string_view tail() const { return sibling ? kSuffix : std::string_view(); }
};

// name + tail against the other's, bytewise, without building the texts.
int compare_text(const MapKey& a, const MapKey& b) {
  const std::size_t na = a.name.size() + a.tail().size(), nb = b.name.size() + b.tail().size();
  auto at = [](const MapKey& k, std::size_t i) {
    return static_cast<unsigned char>(i < k.name.size() ? k.name[i] : k.tail()[i - k.name.size()]);
  };
  for (std::size_t i = 0; i < na && i < nb; ++i)
    if (at(a, i) != at(b, i)) return at(a, i) < at(b, i) ? -1 : 1;
  return na == nb ? 0 : na < nb ? -1 : 1;
}

// Of the same text, the sibling after: it wins, as the archive writer adds siblings last.
bool key_less(const MapKey& a, const MapKey& b) {
  const int c = compare_text(a, b);
  return c != 0 ? c < 0 : a.sibling < b.sibling;
}
}  // namespace

void Object::string_map(std::string_view k, const std::vector<std::pair<std::string, std::string>>& map) {
  key(k);
  Object o(line_);
  if (in_order(map)) {
    for (const auto& [name, value] : map) o.chosen_key(name), quoted(line_.out, value);
    return o.close();
  }
  // Every key, and the sibling of each value that is not UTF-8, sorted as one set of keys: a
  // sibling need not follow its key ("GITHUB_REF_NAME" < "GITHUB_REF_b64").
  std::vector<MapKey> keys;
  keys.reserve(map.size() * 2);
  for (const auto& [name, value] : map) {
    keys.push_back({name, false, &value});
    if (!text::is_valid_utf8(value)) keys.push_back({name, true, &value});
  }
  std::stable_sort(keys.begin(), keys.end(), key_less);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const auto& e = keys[i];
    // One key once, the last value given, as a std::map assigned in order keeps it.
    if (i + 1 < keys.size() && compare_text(e, keys[i + 1]) == 0) continue;
    if (e.sibling) {
      o.chosen_key(std::string(e.name) + std::string(kSuffix));
      base64(line_.out, *e.value);
      continue;
    }
    o.chosen_key(e.name);
    if (!quoted_if_utf8(line_.out, *e.value)) {
      readable(line_.out, *e.value);
      line_.invalid_utf8 = true;
    }
  }
  o.close();
}

}  // namespace jobtrail::event::json_out
