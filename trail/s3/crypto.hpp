#pragma once
// SHA-256 and HMAC-SHA256 through OpenSSL: the only hashing SigV4 needs.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace jobtrail::s3 {

std::string sha256_hex(std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view data);  // raw 32 bytes
std::string to_hex(std::string_view bytes);

// Incremental SHA-256 for payloads streamed from disk.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(std::string_view data);
  std::string hex_digest();  // finishes; the object is spent afterwards
 private:
  void* ctx_;
};

std::string md5_hex(std::string_view data);  // for comparing with S3 ETags only

// SHA-256 (signed as x-amz-content-sha256) and MD5 (the ETag S3 will report) of the bytes
// [offset, offset+length) of a file, in one read; throws std::runtime_error on I/O errors.
struct RangeDigests {
  std::string sha256_hex;
  std::string md5_hex;
};
RangeDigests digests_of_file_range(const std::filesystem::path& file, std::uint64_t offset,
                                   std::uint64_t length, bool with_md5 = true);

}  // namespace jobtrail::s3
