#pragma once
// AWS Signature Version 4 as pure functions: no clock, no sockets. The caller passes the time
// and the request parts; the functions return the canonical texts and the headers to add.
// Verified against the AWS suite, the aws-c-auth suite and the S3 examples (tests/s3/).
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "trail/s3/uri.hpp"

namespace jobtrail::s3 {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty: long-term keys
};

using Headers = std::vector<std::pair<std::string, std::string>>;  // as sent, any case, repeats allowed

// What the signature covers. path is decoded (raw bytes, e.g. "/my key/ሴ"); query is decoded.
struct RequestParts {
  std::string method;
  std::string path;
  QueryParams query;
  Headers headers;  // every header here is signed
};

struct SigningParams {
  Credentials credentials;
  std::string region;
  std::string service;             // "s3", "sts", ...
  std::string amz_date;            // "20150830T123600Z"
  bool normalize_path = false;     // false for S3 (keys are not paths)
  bool sign_session_token = true;  // false: X-Amz-Security-Token is added after signing
};

inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
inline constexpr std::string_view kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::string canonical_uri(std::string_view path, bool normalize);
std::string canonical_query(const QueryParams& query);  // sorted by encoded key, then value
std::string canonical_header_value(std::string_view value);  // trims, squeezes runs of spaces
// Returns {canonical header block (each line ends in \n), signed header list "a;b;c"}.
std::pair<std::string, std::string> canonical_headers(const Headers& headers);
std::string canonical_request(const RequestParts& req, std::string_view payload_hash, bool normalize);
std::string credential_scope(std::string_view amz_date, std::string_view region,
                             std::string_view service);
std::string string_to_sign(std::string_view amz_date, std::string_view scope,
                           std::string_view canonical_request);
std::string signing_key(std::string_view secret, std::string_view date, std::string_view region,
                        std::string_view service);  // raw 32 bytes
std::string signature_hex(std::string_view signing_key, std::string_view string_to_sign);

// Header signing: adds X-Amz-Date (and X-Amz-Security-Token) to req.headers, computes the
// signature over every header, then adds Authorization. Returns the intermediate texts for tests.
struct SignResult {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;
  std::string authorization;
};
SignResult sign_headers(RequestParts& req, std::string_view payload_hash, const SigningParams& p);

// Query signing (presigned URL): adds X-Amz-* parameters (and X-Amz-Signature last) to req.query.
SignResult sign_query(RequestParts& req, std::string_view payload_hash, const SigningParams& p,
                      int expires_seconds);

// aws-chunked uploads (STREAMING-AWS4-HMAC-SHA256-PAYLOAD): each chunk's string to sign chains
// the previous signature. Not used by our uploads (we hash whole parts), kept for the vectors.
std::string chunk_string_to_sign(std::string_view amz_date, std::string_view scope,
                                 std::string_view previous_signature, std::string_view chunk_sha256_hex);

}  // namespace jobtrail::s3
