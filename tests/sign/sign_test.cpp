// trail/sign: Ed25519 keys from PEM, signatures, key ids, and the errors for keys that do not fit.
#include <doctest/doctest.h>

#include <string>

#include "tests/sign/test_keys.hpp"
#include "trail/sign/ed25519.hpp"
#include "trail/sign/key_ring.hpp"
#include "trail/text/exact_bytes.hpp"

using namespace jobtrail;
namespace k = jobtrail::test_keys;

namespace {
std::string error_of(auto&& f) {
  try {
    f();
  } catch (const sign::KeyError& e) {
    return e.what();
  }
  return "";
}
bool contains(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }
}  // namespace

TEST_CASE("sign: a signature is openssl's and verifies; key id is SHA-256 of the raw public key") {
  auto priv = sign::PrivateKey::from_pem(k::ed_private_1);
  auto pub = sign::PublicKey::from_pem(k::ed_public_1);
  CHECK(priv.key_id() == k::ed_key_id_1);
  CHECK(pub.key_id() == k::ed_key_id_1);
  CHECK(pub.raw().size() == 32);
  auto sig = priv.sign("hello");
  CHECK(sig.size() == 64);
  CHECK(text::base64_encode(sig) == k::ed_hello_sig_1);  // Ed25519 is deterministic: openssl's bytes
  CHECK(pub.verify("hello", sig));
  CHECK(priv.public_key().key_id() == pub.key_id());
  CHECK(contains(priv.public_pem(), "BEGIN PUBLIC KEY"));
}

TEST_CASE("sign: verify refuses other data, a changed or short signature, another key") {
  auto priv = sign::PrivateKey::from_pem(k::ed_private_1);
  auto pub = sign::PublicKey::from_pem(k::ed_public_1);
  auto other = sign::PublicKey::from_pem(k::ed_public_2);
  auto sig = priv.sign("the data");
  CHECK_FALSE(pub.verify("the datA", sig));
  CHECK_FALSE(other.verify("the data", sig));
  auto flipped = sig;
  flipped[10] ^= 1;
  CHECK_FALSE(pub.verify("the data", flipped));
  CHECK_FALSE(pub.verify("the data", sig.substr(0, 63)));
  CHECK_FALSE(pub.verify("the data", sig + "x"));
  CHECK_FALSE(pub.verify("the data", ""));
  CHECK(other.key_id() != pub.key_id());
}

TEST_CASE("sign: keys of the wrong type, the wrong half, or not PEM are clear errors") {
  CHECK(contains(error_of([] { sign::PrivateKey::from_pem(k::ec_private); }), "not Ed25519"));
  CHECK(contains(error_of([] { sign::PublicKey::from_pem(k::ec_public); }), "not Ed25519"));
  CHECK(contains(error_of([] { sign::PrivateKey::from_pem(k::ed_public_1); }), "public key"));
  CHECK(contains(error_of([] { sign::PublicKey::from_pem(k::ed_private_1); }), "private key"));
  CHECK(contains(error_of([] { sign::PrivateKey::from_pem("garbage"); }), "not a PEM private key"));
  CHECK(contains(error_of([] { sign::PublicKey::from_pem(""); }), "not a PEM public key"));
  std::string broken = k::ed_private_1;
  broken[40] = '!';
  auto e = error_of([&] { sign::PrivateKey::from_pem(broken); });
  CHECK(contains(e, "not a PEM private key"));
  CHECK_FALSE(contains(e, "MC4CAQAw"));  // never the key material
  CHECK(contains(error_of([] { sign::PrivateKey::from_pem(std::string(70000, 'A')); }), "64 KiB"));
}

TEST_CASE("sign: an encrypted private key is refused without prompting") {
  // `openssl pkcs8 -topk8 -v2 aes-256-cbc` of ed_private_1 with pass phrase "x"
  const char* enc =
      "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
      "MIGbMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAhA6bNV8KxYlwICCAAw\n"
      "DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEHGe1e1yt3KkH45T6VPSLp8EQN2h\n"
      "gENvLUmydkohA8QJgp2htn8m1lNya+i0Z21iadmeNQQeo7G2UaMf3cr0QRAaHHKT\n"
      "ffFNBZKL8pvjgdYODRM=\n"
      "-----END ENCRYPTED PRIVATE KEY-----\n";
  CHECK(contains(error_of([&] { sign::PrivateKey::from_pem(enc); }), "encrypted"));
}

TEST_CASE("sign: a key ring finds keys by id and keeps one of each") {
  sign::KeyRing ring;
  CHECK(ring.empty());
  ring.add(sign::PublicKey::from_pem(k::ed_public_1));
  ring.add(sign::PublicKey::from_pem(k::ed_public_2));
  ring.add(sign::PublicKey::from_pem(k::ed_public_1));
  CHECK(ring.keys().size() == 2);
  REQUIRE(ring.find(k::ed_key_id_1));
  CHECK(ring.find(k::ed_key_id_1)->key_id() == k::ed_key_id_1);
  CHECK(ring.find("00") == nullptr);
}
