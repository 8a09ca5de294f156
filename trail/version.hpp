#pragma once
#include <string_view>

namespace jobtrail {
// The project version, stamped into archives, annotations and --version output.
std::string_view version();
}  // namespace jobtrail
