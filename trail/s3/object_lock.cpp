#include "trail/s3/object_lock.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace jobtrail::s3 {

void check_object_lock(const ObjectLock& lock) {
  if (!lock.on()) {
    if (lock.days != 0) throw std::invalid_argument("object lock days without a mode (GOVERNANCE or COMPLIANCE)");
    return;
  }
  if (lock.mode != "GOVERNANCE" && lock.mode != "COMPLIANCE")
    throw std::invalid_argument("object lock mode must be GOVERNANCE or COMPLIANCE, got '" + lock.mode + "'");
  if (lock.days < 1 || lock.days > 36500)
    throw std::invalid_argument("object lock days must be 1..36500 with a mode, got " + std::to_string(lock.days));
}

Headers object_lock_headers(const ObjectLock& lock, std::time_t now) {
  if (!lock.on()) return {};
  const std::time_t until = now + static_cast<std::time_t>(lock.days) * 86400;
  std::tm tm{};
  gmtime_r(&until, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return {{"x-amz-object-lock-mode", lock.mode}, {"x-amz-object-lock-retain-until-date", buf}};
}

std::string content_md5(std::string_view md5_hex) {
  if (md5_hex.size() != 32) throw std::invalid_argument("content_md5: not an MD5 in hex");
  unsigned char raw[16];
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    throw std::invalid_argument("content_md5: not an MD5 in hex");
  };
  for (std::size_t i = 0; i < 16; ++i) raw[i] = static_cast<unsigned char>(nibble(md5_hex[2 * i]) * 16 + nibble(md5_hex[2 * i + 1]));
  unsigned char out[32] = {};
  const int n = EVP_EncodeBlock(out, raw, sizeof raw);
  return std::string(reinterpret_cast<const char*>(out), static_cast<std::size_t>(n));
}

}  // namespace jobtrail::s3
