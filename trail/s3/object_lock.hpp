#pragma once
// S3 Object Lock retention on every object a writer creates: where the bucket has Object Lock
// enabled, an object written with a mode and a retain-until date cannot be deleted or replaced
// (as a version) until then, not even by the writer's own credentials (COMPLIANCE), or only with
// s3:BypassGovernanceRetention (GOVERNANCE). S3 requires Content-MD5 (or an x-amz-checksum-*
// header) on such writes; Content-MD5 is the one every S3-compatible store accepts.
#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>

#include "trail/s3/sigv4.hpp"

namespace jobtrail::s3 {

struct ObjectLock {
  std::string mode;        // "" (off), "GOVERNANCE" or "COMPLIANCE"
  std::uint32_t days = 0;  // retention from the moment of each write
  bool on() const { return !mode.empty(); }
};

// Throws std::invalid_argument for a mode other than GOVERNANCE/COMPLIANCE, or days outside
// 1..36500 with a mode (S3's own limit is 100 years).
void check_object_lock(const ObjectLock& lock);

// The x-amz-object-lock-mode and x-amz-object-lock-retain-until-date headers of a write at `now`
// (none when off). The date is ISO 8601 UTC with seconds, as S3 wants it.
Headers object_lock_headers(const ObjectLock& lock, std::time_t now);

// The Content-MD5 header value (base64 of the 16 bytes) from an MD5 in lowercase hex.
std::string content_md5(std::string_view md5_hex);

}  // namespace jobtrail::s3
