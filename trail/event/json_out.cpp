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
}  // namespace

void quoted(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  std::size_t plain = 0;  // start of the run of bytes copied as they are
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
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
}

void number(std::string& out, std::uint64_t n) { integer(out, n); }
void number(std::string& out, std::int64_t n) { integer(out, n); }
void boolean(std::string& out, bool b) { out += b ? "true" : "false"; }

Object::Object(Line& line) : line_(line) { line_.out += '{'; }

void Object::key(std::string_view k) {
  if (!first_) line_.out += ',';
  first_ = false;
  if (text::is_valid_utf8(k)) quoted(line_.out, k);
  else readable(line_.out, k);  // as nlohmann's replacing serializer does; our keys are ASCII
  line_.out += ':';
}

void Object::close() { line_.out += '}'; }

void Object::member(std::string_view k, std::string_view s) {
  key(k);
  if (text::is_valid_utf8(s)) return quoted(line_.out, s);
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
    if (text::is_valid_utf8(list[i])) {
      quoted(line_.out, list[i]);
    } else {
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

void Object::string_map(std::string_view k, const std::vector<std::pair<std::string, std::string>>& map) {
  // Every key, and the sibling of each value that is not UTF-8, sorted as one set of keys: a
  // sibling need not follow its key ("GITHUB_REF_NAME" < "GITHUB_REF_b64").
  struct Entry {
    std::string key;
    const std::string* value;
    bool sibling;
  };
  std::vector<Entry> entries;
  entries.reserve(map.size());
  for (const auto& [name, value] : map) {
    entries.push_back({name, &value, false});
    if (!text::is_valid_utf8(value)) entries.push_back({name + std::string(kSuffix), &value, true});
  }
  // A sibling after a key of the same text: it wins, as the archive writer adds siblings last.
  std::stable_sort(entries.begin(), entries.end(),
                   [](const Entry& a, const Entry& b) { return a.key != b.key ? a.key < b.key : a.sibling < b.sibling; });
  key(k);
  Object o(line_);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& e = entries[i];
    // One key once, the last value given, as a std::map assigned in order keeps it.
    if (i + 1 < entries.size() && entries[i + 1].key == e.key) continue;
    o.key(e.key);
    if (e.sibling) {
      base64(line_.out, *e.value);
    } else if (text::is_valid_utf8(*e.value)) {
      quoted(line_.out, *e.value);
    } else {
      readable(line_.out, *e.value);
      line_.invalid_utf8 = true;
    }
  }
  o.close();
}

}  // namespace jobtrail::event::json_out
