#include "trail/archive/signing.hpp"

#include "trail/text/exact_bytes.hpp"

namespace jobtrail::archive {

using nlohmann::json;

std::string entry_signed_text(std::string_view entry_hash) {
  std::string t = "jobtrail-entry-sig-v1\n";
  t += entry_hash;
  t += '\n';
  return t;
}

std::string manifest_signed_text(std::string_view manifest_bytes) {
  std::string t = "jobtrail-manifest-sig-v1\n";
  t += manifest_bytes;
  return t;
}

std::string sign_text(const sign::PrivateKey& key, std::string_view text) {
  return text::base64_encode(key.sign(text));
}

bool verify_text(const sign::PublicKey& key, std::string_view text, std::string_view signature_b64) {
  auto raw = text::base64_decode(signature_b64);
  return raw && key.verify(text, *raw);
}

std::string manifest_signature_object(const sign::PrivateKey& key, std::string_view manifest_bytes) {
  return json{{"format", "jobtrail-signature"}, {"format_version", 1},       {"alg", signature_alg},
              {"key_id", key.key_id()},        {"signed", "manifest"},      {"signature", sign_text(key, manifest_signed_text(manifest_bytes))}}
             .dump(1) + "\n";
}

std::optional<SignatureObject> parse_signature_object(std::string_view body, std::string& why) {
  if (body.size() > 64 * 1024) {
    why = "the signature object is larger than 64 KiB";
    return std::nullopt;
  }
  json j = json::parse(body, nullptr, false);
  if (!j.is_object() || j.value("format", json()) != "jobtrail-signature") {
    why = "the signature object is not a jobtrail signature";
    return std::nullopt;
  }
  auto alg = j.find("alg"), id = j.find("key_id"), sig = j.find("signature");
  if (alg == j.end() || *alg != signature_alg) {
    why = "the signature object is not of algorithm ed25519";
    return std::nullopt;
  }
  if (id == j.end() || !id->is_string() || sig == j.end() || !sig->is_string()) {
    why = "the signature object lacks key_id or signature";
    return std::nullopt;
  }
  return SignatureObject{id->get<std::string>(), sig->get<std::string>()};
}

json signing_meta_signed(const sign::PrivateKey& key) {
  return json{{"signed", true}, {"alg", signature_alg}, {"key_id", key.key_id()}};
}

json signing_meta_unsigned(const std::string& reason) { return json{{"signed", false}, {"reason", reason}}; }

}  // namespace jobtrail::archive
