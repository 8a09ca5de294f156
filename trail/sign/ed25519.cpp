#include "trail/sign/ed25519.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>

#include "trail/archive/sha256.hpp"

namespace jobtrail::sign {

namespace {

// OpenSSL keeps failures in a per-thread queue; leave nothing behind for the TLS code that
// shares the thread, and never put the queue's text (which may quote input) into messages.
struct ClearErrors {
  ~ClearErrors() { ERR_clear_error(); }
};

// Refuses to prompt for a pass phrase: an encrypted key is an error, not a terminal dialogue.
int no_passphrase(char*, int, int, void*) { return -1; }

std::shared_ptr<EVP_PKEY> own(EVP_PKEY* k) { return std::shared_ptr<EVP_PKEY>(k, EVP_PKEY_free); }

std::string type_name(const EVP_PKEY* k) {
  const char* sn = OBJ_nid2sn(EVP_PKEY_get_base_id(k));
  return sn ? sn : "an unknown type";
}

std::string raw_public(const EVP_PKEY* k) {
  std::string raw(public_key_size, '\0');
  std::size_t len = raw.size();
  if (EVP_PKEY_get_raw_public_key(k, reinterpret_cast<unsigned char*>(raw.data()), &len) != 1 ||
      len != public_key_size)
    throw KeyError("cannot read the Ed25519 public key");
  return raw;
}

std::shared_ptr<BIO> memory_bio(std::string_view pem) {
  if (pem.size() > 64 * 1024) throw KeyError("key PEM is larger than 64 KiB: not a key");
  BIO* b = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (!b) throw KeyError("out of memory reading a key");
  return std::shared_ptr<BIO>(b, BIO_free);
}

void require_ed25519(const EVP_PKEY* k, const char* what) {
  if (EVP_PKEY_get_id(k) != EVP_PKEY_ED25519)
    throw KeyError(std::string(what) + " is " + type_name(k) + ", not Ed25519 (make one with `openssl genpkey -algorithm ed25519`)");
}

struct LoadedKey {
  std::shared_ptr<EVP_PKEY> key;
  std::string key_id;
};

// One Ed25519 key from PEM, read by `read` (PEM_read_bio_PUBKEY or PEM_read_bio_PrivateKey);
// `refused(pem)` says why a PEM it could not read is not the key wanted.
LoadedKey load_ed25519(std::string_view pem, EVP_PKEY* (*read)(BIO*, EVP_PKEY**, pem_password_cb*, void*),
                       const char* what, std::string (*refused)(std::string_view pem)) {
  ClearErrors clear;
  auto bio = memory_bio(pem);
  EVP_PKEY* k = read(bio.get(), nullptr, no_passphrase, nullptr);
  if (!k) throw KeyError(refused(pem));
  LoadedKey out{own(k), ""};
  require_ed25519(k, what);
  out.key_id = key_id_of_raw(raw_public(k));
  return out;
}

std::string not_a_public_key(std::string_view pem) {
  if (pem.find("PRIVATE KEY-----") != std::string_view::npos)
    return "this is a private key; verification wants the public key (openssl pkey -in KEY -pubout)";
  return "not a PEM public key (expected -----BEGIN PUBLIC KEY-----)";
}

std::string not_a_private_key(std::string_view pem) {
  if (pem.find("ENCRYPTED PRIVATE KEY-----") != std::string_view::npos)
    return "the private key is encrypted; the sidecar needs an unencrypted PKCS#8 key";
  if (pem.find("PUBLIC KEY-----") != std::string_view::npos) return "this is a public key; signing needs the private key";
  return "not a PEM private key (expected -----BEGIN PRIVATE KEY-----, PKCS#8)";
}

}  // namespace

std::string key_id_of_raw(std::string_view raw) { return archive::sha256_hex(raw); }

PublicKey PublicKey::from_pem(std::string_view pem) {
  auto loaded = load_ed25519(pem, PEM_read_bio_PUBKEY, "the public key", not_a_public_key);
  PublicKey out;
  out.key_ = std::move(loaded.key);
  out.key_id_ = std::move(loaded.key_id);
  return out;
}

std::string PublicKey::raw() const { return raw_public(key_.get()); }

bool PublicKey::verify(std::string_view data, std::string_view sig) const {
  ClearErrors clear;
  if (sig.size() != signature_size) return false;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1) return false;
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                          reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
}

PrivateKey PrivateKey::from_pem(std::string_view pem) {
  auto loaded = load_ed25519(pem, PEM_read_bio_PrivateKey, "the private key", not_a_private_key);
  PrivateKey out;
  out.key_ = std::move(loaded.key);
  out.key_id_ = std::move(loaded.key_id);
  return out;
}

std::string PrivateKey::sign(std::string_view data) const {
  ClearErrors clear;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::string sig(signature_size, '\0');
  std::size_t len = sig.size();
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1 ||
      len != signature_size)
    throw KeyError("Ed25519 signing failed");
  return sig;
}

PublicKey PrivateKey::public_key() const { return PublicKey::from_pem(public_pem()); }

std::string PrivateKey::public_pem() const {
  ClearErrors clear;
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1) throw KeyError("cannot write the public key");
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

}  // namespace jobtrail::sign
