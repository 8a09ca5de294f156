#pragma once
// What the archive signs, byte for byte (docs/archive.md, "Signatures"). Every signed text
// starts with its own domain-separation line, so a signature over one kind of text can never
// pass for another kind. Pure functions: the key operations are trail/sign's.
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "trail/sign/ed25519.hpp"

namespace jobtrail::archive {

inline constexpr std::string_view signature_alg = "ed25519";
inline constexpr std::string_view signature_suffix = ".sig";  // manifest key + this: its signature object

// "jobtrail-entry-sig-v1\n<entry_hash>\n": what a segment entry's "sig" signs.
std::string entry_signed_text(std::string_view entry_hash);
// "jobtrail-manifest-sig-v1\n" followed by the manifest object's bytes exactly as stored.
std::string manifest_signed_text(std::string_view manifest_bytes);

// Base64 of sign(text); the form every signature takes in JSON.
std::string sign_text(const sign::PrivateKey& key, std::string_view text);
// False for a signature that is not canonical base64 or does not verify.
bool verify_text(const sign::PublicKey& key, std::string_view text, std::string_view signature_b64);

// The manifest's signature object (manifest key + ".sig"):
// {"format":"jobtrail-signature","format_version":1,"alg":"ed25519","key_id":...,"signature":...}
std::string manifest_signature_object(const sign::PrivateKey& key, std::string_view manifest_bytes);
struct SignatureObject {
  std::string key_id;
  std::string signature;  // base64
};
// nullopt with `why` set when the body is not such an object.
std::optional<SignatureObject> parse_signature_object(std::string_view body, std::string& why);

// meta.signing of a manifest: {"signed":true,"alg":"ed25519","key_id":...} or
// {"signed":false,"reason":...}.
nlohmann::json signing_meta_signed(const sign::PrivateKey& key);
nlohmann::json signing_meta_unsigned(const std::string& reason);

}  // namespace jobtrail::archive
