#pragma once
// Ed25519 keys, signatures and key ids through OpenSSL's EVP interface (EVP_PKEY_ED25519).
// Pure: keys are parsed from PEM text held in memory; reading key files is key_file.hpp's job.
// No function here logs, and no error message quotes key bytes: a message names the problem
// (not PEM, wrong key type, encrypted), never the material.
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

typedef struct evp_pkey_st EVP_PKEY;

namespace jobtrail::sign {

// A key that cannot be used: unreadable file, not PEM, not Ed25519, encrypted, ...
class KeyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr std::size_t signature_size = 64;   // raw Ed25519 signature bytes
inline constexpr std::size_t public_key_size = 32;  // raw Ed25519 public key bytes

// Lowercase hex SHA-256 of the raw 32-byte public key (64 hex characters): the id that names a
// key in manifests, checkpoints and attestations. Anyone can recompute it from the PEM:
//   openssl pkey -pubin -in PUB.pem -outform DER | tail -c 32 | sha256sum
std::string key_id_of_raw(std::string_view raw_public_key);

class PublicKey {
 public:
  // PEM "BEGIN PUBLIC KEY" (SubjectPublicKeyInfo). Throws KeyError.
  static PublicKey from_pem(std::string_view pem);
  // True only for a valid Ed25519 signature (64 bytes) of exactly `data` by this key.
  bool verify(std::string_view data, std::string_view signature) const;
  const std::string& key_id() const { return key_id_; }
  std::string raw() const;  // the 32 public key bytes

 private:
  std::shared_ptr<EVP_PKEY> key_;
  std::string key_id_;
};

class PrivateKey {
 public:
  // PEM "BEGIN PRIVATE KEY" (PKCS#8, unencrypted), as `openssl genpkey -algorithm ed25519` writes.
  // Throws KeyError.
  static PrivateKey from_pem(std::string_view pem);
  std::string sign(std::string_view data) const;  // 64 raw bytes; throws KeyError if OpenSSL fails
  const std::string& key_id() const { return key_id_; }
  PublicKey public_key() const;
  std::string public_pem() const;  // "BEGIN PUBLIC KEY" PEM of the matching public key

 private:
  std::shared_ptr<EVP_PKEY> key_;
  std::string key_id_;
};

}  // namespace jobtrail::sign
