#include "trail/version.hpp"

namespace jobtrail {
std::string_view version() { return JOBTRAIL_VERSION; }
}  // namespace jobtrail
