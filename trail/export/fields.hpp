#pragma once
// Checked reads of archive event fields for the exporters. An archive is written by the pod of
// the job it watches, so a field may hold any JSON: a number where a string belongs, a pid of
// 2^70, a port of -1, a string of another type. Each accessor returns nullopt for anything but a
// value of the expected kind and range, never throws, and the exporters leave such a field out.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace jobtrail::exporting {

using nlohmann::json;

// obj[key] when obj is an object holding that key, else nullptr.
const json* member(const json& obj, std::string_view key);
// obj[key] when it is an object, else nullptr.
const json* object_member(const json& obj, std::string_view key);

std::optional<std::string> string_member(const json& obj, std::string_view key);
// An integer in [lo, hi]: JSON integers only (1.5, "7", true are not).
std::optional<std::int64_t> int_member(const json& obj, std::string_view key, std::int64_t lo, std::int64_t hi);
std::optional<std::uint64_t> uint_member(const json& obj, std::string_view key);
std::optional<bool> bool_member(const json& obj, std::string_view key);
// The string elements of the array obj[key] (other elements are skipped), at most `limit`.
std::vector<std::string> string_array(const json& obj, std::string_view key, std::size_t limit);

// A pid, tid, uid or gid: 0..2^32-1.
std::optional<std::int64_t> id32_member(const json& obj, std::string_view key);
// A TCP/UDP port: 0..65535.
std::optional<std::int64_t> port_member(const json& obj, std::string_view key);
// A byte or packet count: 0..2^63-1 (what a signed 64-bit field of either schema holds).
std::optional<std::int64_t> count_member(const json& obj, std::string_view key);
// An exec id (number or text) as text; nullopt for 0 (not seen), absent or another type.
std::optional<std::string> exec_id_member(const json& obj, std::string_view key);
// Whether `text` is an IPv4 or IPv6 address in text form.
bool is_ip_text(const std::string& text);

// The event's `time` (RFC 3339 UTC) in ms since the epoch, nullopt if it is not a time.
std::optional<std::int64_t> event_time_ms(const json& ev);

// "10.96.0.10:53" / "[2001:db8::1]:53" -> address and port; nullopt if it is neither.
struct HostPort {
  std::string address;
  std::int64_t port = 0;
};
std::optional<HostPort> split_host_port(std::string_view text);

// The final path component ("/usr/bin/curl" -> "curl").
std::string base_name(std::string_view path);
// argv as one command line: arguments joined by spaces, those with a space, quote, backslash or
// nothing in them quoted ('...'), so the line reads as the shell would take it.
std::string command_line(const std::vector<std::string>& argv);

// Every `K_b64` member of obj (the archive's exact bytes of a string that is not UTF-8,
// docs/schema.md), copied into `out` under the same key.
void copy_exact_bytes(const json& obj, json& out);

}  // namespace jobtrail::exporting
