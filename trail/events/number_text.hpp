#pragma once
// Numbers written by the traced job (in /proc paths, arguments, archive fields) parsed with
// checked functions: the whole text must be a number that fits, otherwise nullopt. Never
// throws, never reads past the view, so a job choosing the digits cannot end the trail.
#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>
#include <system_error>

namespace jobtrail::events {

// Decimal digits only (no sign, no spaces, no "0x"), as the kernel writes pids in /proc paths.
template <typename T>
std::optional<T> parse_decimal(std::string_view text) {
  if (text.empty() || text.size() > 40) return std::nullopt;
  if (text.front() < '0' || text.front() > '9') return std::nullopt;  // from_chars allows '-' for signed T
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 10);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// An optionally negative decimal integer ("-1", "42").
inline std::optional<std::int64_t> parse_signed_decimal(std::string_view text) {
  if (text.size() > 1 && text.front() == '-') {
    auto magnitude = parse_decimal<std::uint64_t>(text.substr(1));
    if (!magnitude || *magnitude > static_cast<std::uint64_t>(INT64_MAX) + 1) return std::nullopt;
    return static_cast<std::int64_t>(0 - *magnitude);
  }
  return parse_decimal<std::int64_t>(text);
}

}  // namespace jobtrail::events
