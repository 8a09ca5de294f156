#pragma once
// Checked JSON output primitives for the event writers (write_*.cpp), internal to trail/event.
// They produce exactly what nlohmann::json's serializer gives for the archive (compact,
// ensure_ascii off): strings escaped as it escapes them, integers in decimal, and strings that
// are not UTF-8 in the archive's byte-preserving form (trail/text/exact_bytes.hpp). Every
// function appends to the line; none throws on any bytes.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace jobtrail::event::json_out {

// The line being written, and whether any string of it was not UTF-8 (the writer then marks
// the event `invalid_utf8`).
struct Line {
  std::string& out;
  bool invalid_utf8 = false;
};

// `s` as a JSON string, quotes included: \" \\ \b \f \n \r \t, other bytes below 0x20 as
// \u00xx (lowercase hex), everything else (0x7f and UTF-8) as it is. `s` must be UTF-8.
void quoted(std::string& out, std::string_view s);
// quoted() when `s` is UTF-8 (true); otherwise appends nothing and returns false.
bool quoted_if_utf8(std::string& out, std::string_view s);
void number(std::string& out, std::uint64_t n);
void number(std::string& out, std::int64_t n);
void boolean(std::string& out, bool b);

// Members of one object, in the order the caller gives (which must be the byte order of the
// keys, as nlohmann's std::map has them): commas between them.
class Object {
 public:
  explicit Object(Line& line);
  // Writes `"key":` (with the comma before it when it is not the first); the value follows.
  // `k` is one of the schema's keys (ASCII, ours).
  void key(std::string_view k);
  // The same for a key the job may have chosen (map names): not UTF-8, its readable form.
  void chosen_key(std::string_view k);
  void close();
  Line& line() { return line_; }
  bool empty() const { return first_; }

  void member(std::string_view k, std::uint64_t n) { key(k), number(line_.out, n); }
  void member(std::string_view k, std::uint32_t n) { member(k, std::uint64_t{n}); }
  void member(std::string_view k, std::int64_t n) { key(k), number(line_.out, n); }
  void member(std::string_view k, bool b) { key(k), boolean(line_.out, b); }
  // A string member with its exact bytes: `"k":"readable"`, and `"k_b64":"..."` after it when
  // `s` is not UTF-8. Only for keys no other key of the object sorts between k and k_b64.
  void member(std::string_view k, std::string_view s);
  void member(std::string_view k, const char* s) { member(k, std::string_view(s)); }  // not the bool one
  // An array of strings, with its `k_b64` array (null for the elements kept exactly).
  void member(std::string_view k, const std::vector<std::string>& list);
  void member(std::string_view k, const std::vector<std::uint64_t>& list);
  void null_member(std::string_view k) { key(k), line_.out += "null"; }
  void flag(std::string_view k, bool set) {
    if (set) member(k, true);
  }
  template <typename T>
  void optional(std::string_view k, const std::optional<T>& v) {
    if (v) member(k, *v);
  }
  // An object the job chose the keys of (exec env, identity job): keys and `K_b64` siblings in
  // byte order, whatever order `map` has.
  void string_map(std::string_view k, const std::vector<std::pair<std::string, std::string>>& map);

 private:
  Line& line_;
  bool first_ = true;
};

}  // namespace jobtrail::event::json_out
