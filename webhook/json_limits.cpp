#include "json_limits.hpp"

namespace jobtrail::webhook {

std::string check_json_limits(std::string_view bytes, const JsonLimits& limits) {
  std::size_t depth = 0, values = 0;
  bool in_string = false, escaped = false, in_scalar = false;
  for (const char c : bytes) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    switch (c) {
      case '[':
      case '{':
        in_scalar = false;
        ++values;
        if (++depth > limits.max_depth)
          return "JSON nested deeper than " + std::to_string(limits.max_depth) + " levels";
        break;
      case ']':
      case '}':
        in_scalar = false;
        if (depth > 0) --depth;
        break;
      case '"':
        // A string is a value or an object key; counting keys too keeps the bound simple and safe.
        in_scalar = false;
        in_string = true;
        ++values;
        break;
      case ',':
      case ':':
      case ' ':
      case '\t':
      case '\n':
      case '\r':
        in_scalar = false;
        break;
      default:  // a number, true, false, null: one value per run of such bytes
        if (!in_scalar) ++values;
        in_scalar = true;
    }
    if (values > limits.max_values)
      return "JSON holds more than " + std::to_string(limits.max_values) + " values";
  }
  return "";
}

}  // namespace jobtrail::webhook
