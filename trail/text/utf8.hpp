#pragma once
// Strict UTF-8 (RFC 3629, Unicode table 3-7): what a decoder can trust as text. Overlong forms,
// surrogates (U+D800..U+DFFF), code points above U+10FFFF and cut sequences are not UTF-8.
// Pure functions; the terminal escaper and the archive's byte-preserving encoding build on them.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace jobtrail::text {

// Length (1..4) of the well-formed UTF-8 sequence starting at s[i], 0 if none starts there.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i);
// The code point of the well-formed sequence of length n at s[i].
std::uint32_t utf8_code_point(std::string_view s, std::size_t i, std::size_t n);

bool is_valid_utf8(std::string_view s);
// s with every byte that does not belong to a well-formed sequence replaced by U+FFFD.
std::string to_valid_utf8(std::string_view s);

}  // namespace jobtrail::text
