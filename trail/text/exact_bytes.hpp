#pragma once
// The archive's byte-preserving form of strings that are not UTF-8 (docs/schema.md, "Bytes that
// are not UTF-8"). argv, paths, cwd, DNS and container names are bytes the job chose; JSON
// strings are UTF-8. A string member `K` whose bytes are not UTF-8 is stored as
//   "K": the bytes with each invalid byte replaced by U+FFFD (readable, valid JSON text)
//   "K_b64": the exact bytes, base64 (RFC 4648, with padding)
// and an array of strings `K` with such an element gains "K_b64": an array as long as `K`, holding
// the base64 of each element that was not UTF-8 and null for those kept exactly. The event then
// carries "invalid_utf8": true. Strings that are UTF-8 are written as they are, with no sibling.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace jobtrail::text {

inline constexpr std::string_view exact_bytes_suffix = "_b64";

std::string base64_encode(std::string_view bytes);
// nullopt unless `text` is canonical padded base64 (length a multiple of 4, alphabet A-Z a-z 0-9 + /).
std::optional<std::string> base64_decode(std::string_view text);

// Writer side: rewrites, in place, every string member (and string element of an array member)
// of `event` and its nested objects that is not UTF-8 into the form above. Returns whether
// anything was rewritten (and then sets event["invalid_utf8"]). Bounded: objects nested deeper
// than 16 levels are left to the serializer, which replaces invalid bytes.
bool preserve_exact_bytes(nlohmann::json& event);

// Reader side, for archives of any schema version: the exact bytes of obj[key], from
// obj[key + "_b64"] when that decodes, else the string itself; nullopt when obj[key] is no string.
std::optional<std::string> exact_string(const nlohmann::json& obj, std::string_view key);
// The string elements of the array obj[key] with their exact bytes (non-strings are skipped).
std::vector<std::string> exact_strings(const nlohmann::json& obj, std::string_view key);

}  // namespace jobtrail::text
