#pragma once
// Incremental SHA-256 (OpenSSL EVP) with lowercase hex output: segment digests and the
// manifest's hash chain.
#include <memory>
#include <string>
#include <string_view>

namespace jobtrail::archive {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  void update(const void* data, std::size_t size);
  void update(std::string_view s) { update(s.data(), s.size()); }
  std::string hex();  // finalises; the object must not be updated afterwards

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

std::string sha256_hex(std::string_view data);

}  // namespace jobtrail::archive
