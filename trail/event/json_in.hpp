#pragma once
// Checked reads of parsed JSON values for the event readers (read_*.cpp), internal to
// trail/event. Each read returns false when the value is not of the type and range the schema
// gives; the reader then gives the whole line up, and the decoder counts it. Nothing throws.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <simdjson.h>

namespace jobtrail::event::json_in {

using Element = simdjson::dom::element;
using Object = simdjson::dom::object;

// Where a read failed: "process.pid". Set by fail(), read by the decoder.
struct Failure {
  std::string where;
};

// Records where the line failed and returns false, for `return fail(f, "net", key);`.
bool fail(Failure& f, std::string_view family, std::string_view key);

bool is_null(Element v);
bool read(Element v, std::string& out);
bool read(Element v, bool& out);
bool read(Element v, std::uint64_t& out);
bool read(Element v, std::uint32_t& out);
bool read(Element v, std::int64_t& out);
bool read_strings(Element v, std::vector<std::string>& out);
bool read_numbers(Element v, std::vector<std::uint64_t>& out);
bool read_object(Element v, Object& out);
// A number or a string, as text (priv results are either).
bool read_text_or_number(Element v, std::string& out);
// The object as compact JSON text.
std::string compact(Object v);

// null reads as nullopt, anything else as T.
template <typename T>
bool read(Element v, std::optional<T>& out) {
  if (is_null(v)) {
    out.reset();
    return true;
  }
  T value{};
  if (!read(v, value)) return false;
  out = std::move(value);
  return true;
}

// The `K_b64` siblings of one object (docs/schema.md, "Bytes that are not UTF-8"): note()
// every key that ends in _b64 while walking the object, then apply() to each string member.
// A sibling that is no canonical base64 is ignored (the readable form stays), as
// text::exact_string does; one that is not a string or array is no sibling. A sibling given
// twice counts as its last, as a key given twice does. Lookups are by key, not a scan: a line of
// a hundred thousand siblings and members costs a sort, not their product.
class ExactBytes {
 public:
  // True when `key` is a sibling (then it is taken, and the reader skips it).
  bool note(std::string_view key, Element v);
  void apply(std::string_view key, std::string& s) const;
  void apply(std::string_view key, std::optional<std::string>& s) const;
  void apply(std::string_view key, std::vector<std::string>& list) const;
  bool empty() const { return strings_.empty() && arrays_.empty(); }

 private:
  // Keys view the parsed document, which outlives the walk over its object.
  std::map<std::string_view, std::string> strings_;
  std::map<std::string_view, std::vector<std::optional<std::string>>> arrays_;
};

// An object whose members are all strings (env, job): name, exact bytes, in name order.
bool read_string_map(Element v, std::vector<std::pair<std::string, std::string>>& out);

}  // namespace jobtrail::event::json_in
