#pragma once
// URI encoding exactly as SigV4 wants it (RFC 3986 unreserved set kept, everything else %XX
// upper-case, UTF-8 bytes one by one), plus the reverse and the path normalisation that
// non-S3 services apply (S3 never normalises: "a//b" and "a/./b" are distinct keys).
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace jobtrail::s3 {

std::string uri_encode(std::string_view s, bool keep_slash);
std::string uri_decode(std::string_view s);  // '+' stays '+': SigV4 queries never use form encoding
std::string normalize_path(std::string_view path);  // removes ".", "..", empty segments

using QueryParams = std::vector<std::pair<std::string, std::string>>;  // decoded
QueryParams parse_query(std::string_view raw);        // "a=1&b" -> {a,1},{b,""}
std::string encode_query(const QueryParams& params);  // in the given order, encoded

}  // namespace jobtrail::s3
