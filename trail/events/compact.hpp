#pragma once
// The compact one-line form of an event, as in the live stream of the sidecar and in
// `jobtrail show` (the seed post's Tetragon style):
//   🚀 process ns/pod /usr/bin/curl -k https://example
//   💥 exit    ns/pod /usr/bin/curl -k https://example 1
// format_compact() dispatches on the family prefix of event["type"] to one function per
// family, each in its own file (compact_process.cpp, compact_net.cpp, ...). Unknown types
// get a generic line, never an exception. Events may come from an archive the job's pod wrote
// (`jobtrail show`): formatters read fields only through the tolerant accessors below, which
// also pass every string through text::terminal_safe (no control byte of the job reaches a
// terminal) and prefer the exact bytes of a `K_b64` sibling (trail/text/exact_bytes.hpp).
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace jobtrail::events {

struct PodRef {
  std::string namespace_name;  // "" in local `record` mode: shown as "local"
  std::string pod_name;
  std::string text() const;  // "ns/pod" or "local/<pod_name or record>"
};

std::string format_compact(const nlohmann::json& event, const PodRef& pod);

// Per-family formatters (each returns "" if it does not handle the type).
std::string format_compact_process(const nlohmann::json& event, const PodRef& pod);
std::string format_compact_file(const nlohmann::json& event, const PodRef& pod);
std::string format_compact_net(const nlohmann::json& event, const PodRef& pod);
std::string format_compact_priv(const nlohmann::json& event, const PodRef& pod);
std::string format_compact_finding(const nlohmann::json& event, const PodRef& pod);

// Shared helpers for the per-family formatters.
// obj[key] when obj is an object holding key, else null.
const nlohmann::json& member(const nlohmann::json& obj, const char* key);
// obj[key] as terminal-safe text: a string (its exact bytes, escaped), a number as digits, a
// boolean as true/false; `fallback` when absent or of another type.
std::string text(const nlohmann::json& obj, const char* key, const std::string& fallback = "");
// obj[key] as an integer; `fallback` when absent, not an integer or out of range.
std::int64_t integer(const nlohmann::json& obj, const char* key, std::int64_t fallback);
bool flag(const nlohmann::json& obj, const char* key);
// "<binary> <args...>" of event["process"], args quoted when they hold spaces or controls.
std::string process_text(const nlohmann::json& event);
// Quotes one argument shell-style when needed ("a b" -> 'a b'); its bytes are terminal-safe.
std::string quote_arg(const std::string& arg);

}  // namespace jobtrail::events
