#include "trail/s3/sigv4.hpp"

#include <algorithm>
#include <map>

#include "trail/s3/crypto.hpp"

namespace jobtrail::s3 {

namespace {
std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}
constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
}  // namespace

std::string canonical_uri(std::string_view path, bool normalize) {
  std::string p = normalize ? normalize_path(path) : std::string(path);
  if (p.empty()) p = "/";
  return uri_encode(p, true);
}

std::string canonical_query(const QueryParams& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [k, v] : query) encoded.emplace_back(uri_encode(k, false), uri_encode(v, false));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [k, v] : encoded) {
    if (!out.empty()) out += '&';
    out += k + '=' + v;
  }
  return out;
}

std::string canonical_header_value(std::string_view value) {
  std::string out;
  bool in_space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t') {
      in_space = true;
      continue;
    }
    if (in_space && !out.empty()) out += ' ';
    in_space = false;
    out += c;
  }
  return out;
}

std::pair<std::string, std::string> canonical_headers(const Headers& headers) {
  std::map<std::string, std::vector<std::string>> merged;  // sorted by lower-case name
  for (const auto& [name, value] : headers) merged[lower(name)].push_back(canonical_header_value(value));
  std::string block, names;
  for (const auto& [name, values] : merged) {
    block += name + ':';
    for (std::size_t i = 0; i < values.size(); ++i) block += (i ? "," : "") + values[i];
    block += '\n';
    if (!names.empty()) names += ';';
    names += name;
  }
  return {block, names};
}

std::string canonical_request(const RequestParts& req, std::string_view payload_hash, bool normalize) {
  auto [block, names] = canonical_headers(req.headers);
  std::string out = req.method + '\n';
  out += canonical_uri(req.path, normalize) + '\n';
  out += canonical_query(req.query) + '\n';
  out += block + '\n';
  out += names + '\n';
  out += payload_hash;
  return out;
}

std::string credential_scope(std::string_view amz_date, std::string_view region,
                             std::string_view service) {
  return std::string(amz_date.substr(0, 8)) + '/' + std::string(region) + '/' +
         std::string(service) + "/aws4_request";
}

std::string string_to_sign(std::string_view amz_date, std::string_view scope,
                           std::string_view canonical_request) {
  return std::string(kAlgorithm) + '\n' + std::string(amz_date) + '\n' + std::string(scope) + '\n' +
         sha256_hex(canonical_request);
}

std::string signing_key(std::string_view secret, std::string_view date, std::string_view region,
                        std::string_view service) {
  std::string k = hmac_sha256("AWS4" + std::string(secret), date);
  k = hmac_sha256(k, region);
  k = hmac_sha256(k, service);
  return hmac_sha256(k, "aws4_request");
}

std::string signature_hex(std::string_view key, std::string_view sts) {
  return to_hex(hmac_sha256(key, sts));
}

namespace {
SignResult finish(const RequestParts& req, std::string_view payload_hash, const SigningParams& p) {
  SignResult r;
  r.canonical_request = canonical_request(req, payload_hash, p.normalize_path);
  std::string scope = credential_scope(p.amz_date, p.region, p.service);
  r.string_to_sign = string_to_sign(p.amz_date, scope, r.canonical_request);
  std::string key =
      signing_key(p.credentials.secret_access_key, p.amz_date.substr(0, 8), p.region, p.service);
  r.signature = signature_hex(key, r.string_to_sign);
  return r;
}
}  // namespace

SignResult sign_headers(RequestParts& req, std::string_view payload_hash, const SigningParams& p) {
  req.headers.emplace_back("X-Amz-Date", p.amz_date);
  const bool token = !p.credentials.session_token.empty();
  if (token && p.sign_session_token) req.headers.emplace_back("X-Amz-Security-Token", p.credentials.session_token);
  SignResult r = finish(req, payload_hash, p);
  std::string names = canonical_headers(req.headers).second;
  r.authorization = std::string(kAlgorithm) + " Credential=" + p.credentials.access_key_id + '/' +
                    credential_scope(p.amz_date, p.region, p.service) +
                    ", SignedHeaders=" + names + ", Signature=" + r.signature;
  if (token && !p.sign_session_token) req.headers.emplace_back("X-Amz-Security-Token", p.credentials.session_token);
  req.headers.emplace_back("Authorization", r.authorization);
  return r;
}

SignResult sign_query(RequestParts& req, std::string_view payload_hash, const SigningParams& p,
                      int expires_seconds) {
  const std::string scope = credential_scope(p.amz_date, p.region, p.service);
  req.query.emplace_back("X-Amz-Algorithm", std::string(kAlgorithm));
  req.query.emplace_back("X-Amz-Credential", p.credentials.access_key_id + '/' + scope);
  req.query.emplace_back("X-Amz-Date", p.amz_date);
  req.query.emplace_back("X-Amz-Expires", std::to_string(expires_seconds));
  const bool token = !p.credentials.session_token.empty();
  if (token && p.sign_session_token) req.query.emplace_back("X-Amz-Security-Token", p.credentials.session_token);
  req.query.emplace_back("X-Amz-SignedHeaders", canonical_headers(req.headers).second);
  SignResult r = finish(req, payload_hash, p);
  if (token && !p.sign_session_token) req.query.emplace_back("X-Amz-Security-Token", p.credentials.session_token);
  req.query.emplace_back("X-Amz-Signature", r.signature);
  return r;
}

std::string chunk_string_to_sign(std::string_view amz_date, std::string_view scope,
                                 std::string_view previous_signature, std::string_view chunk_sha256_hex) {
  return "AWS4-HMAC-SHA256-PAYLOAD\n" + std::string(amz_date) + '\n' + std::string(scope) + '\n' +
         std::string(previous_signature) + '\n' + std::string(kEmptySha256) + '\n' +
         std::string(chunk_sha256_hex);
}

}  // namespace jobtrail::s3
