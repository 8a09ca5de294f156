// Bounds on a JSON document checked on its bytes, before any parser builds a tree from them.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace jobtrail::webhook {

struct JsonLimits {
  // Pod reviews nest about 15 levels (managedFields included); recursive code on the tree (copies,
  // dump, comparisons) stays far from the stack's end at this depth.
  std::size_t max_depth = 64;
  // Every value counts (scalars, arrays, objects): a large runner pod is ~5,000. Bounds the tree
  // (~80 bytes per value) to a few MiB whatever the body holds.
  std::size_t max_values = 100'000;
};

// "" when the bytes stay within the limits, else a one-line reason. A single pass with no recursion
// and no allocation; syntax errors are left to the real parser (this only counts brackets and values
// outside strings), so it accepts every document the parser accepts within the limits.
std::string check_json_limits(std::string_view bytes, const JsonLimits& limits);

}  // namespace jobtrail::webhook
