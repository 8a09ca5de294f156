#include "trail/s3/crypto.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <vector>

namespace jobtrail::s3 {

std::string to_hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 0xf]);
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  Sha256 h;
  h.update(data);
  return h.hex_digest();
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len))
    throw std::runtime_error("HMAC-SHA256 failed in OpenSSL");
  return std::string(reinterpret_cast<char*>(out), len);
}

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || !EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), EVP_sha256(), nullptr))
    throw std::runtime_error("SHA-256 init failed in OpenSSL");
}
Sha256::~Sha256() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void Sha256::update(std::string_view data) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data.data(), data.size());
}

std::string Sha256::hex_digest() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), out, &len);
  return to_hex(std::string_view(reinterpret_cast<char*>(out), len));
}

std::string md5_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_md5(), nullptr);
  return to_hex(std::string_view(reinterpret_cast<char*>(md), len));
}

RangeDigests digests_of_file_range(const std::filesystem::path& file, std::uint64_t offset,
                                   std::uint64_t length, bool with_md5) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + file.string() + ": " + std::strerror(errno));
  in.seekg(static_cast<std::streamoff>(offset));
  Sha256 sha;
  EVP_MD_CTX* md5 = EVP_MD_CTX_new();
  EVP_DigestInit_ex(md5, EVP_md5(), nullptr);
  std::vector<char> buf(1 << 16);
  while (length > 0) {
    auto want = static_cast<std::streamsize>(std::min<std::uint64_t>(length, buf.size()));
    in.read(buf.data(), want);
    if (in.gcount() != want) {
      EVP_MD_CTX_free(md5);
      throw std::runtime_error("short read from " + file.string());
    }
    sha.update(std::string_view(buf.data(), static_cast<std::size_t>(want)));
    if (with_md5) EVP_DigestUpdate(md5, buf.data(), static_cast<std::size_t>(want));
    length -= static_cast<std::uint64_t>(want);
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(md5, md, &len);
  EVP_MD_CTX_free(md5);
  return {sha.hex_digest(), with_md5 ? to_hex(std::string_view(reinterpret_cast<char*>(md), len)) : ""};
}

}  // namespace jobtrail::s3
