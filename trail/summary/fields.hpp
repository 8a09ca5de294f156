#pragma once
// Tolerant accessors for event fields (schema v1, docs/schema.md). The summary, `show` and the
// report read events only through these, so a field renamed by a tracer family is adjusted here,
// in one place. Every accessor returns an empty value instead of throwing on odd input: one bad
// event must not stop a summary of a million.
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace jobtrail::summary {

using nlohmann::json;

// An id of either form (the kernel's u64 exec ids or strings) as text; "" for null/absent.
std::string id_text(const json& v);
std::string str_field(const json& obj, const char* key);
// obj[key] when it is an object, else an empty object (index objects and manifests are hostile too).
const json& object_field(const json& obj, const char* key);
// The first of several candidate keys present in obj (tracer families name things differently).
const json* first_of(const json& obj, std::initializer_list<const char*> keys);

std::string event_type(const json& ev);
std::string event_time(const json& ev);
const json& process_of(const json& ev);  // ev["process"] or an empty object
std::string exec_id_of(const json& ev);
std::string parent_exec_id_of(const json& ev);
std::string binary_of(const json& ev);
std::optional<std::int64_t> pid_of(const json& ev);

// "2026-11-29T00:00:01.5Z" -> nanoseconds since the epoch; nullopt if not RFC 3339 UTC.
std::optional<std::int64_t> parse_rfc3339_ns(const std::string& text);

// Network: the remote end of a connection-like event.
struct Endpoint {
  std::string address;  // "140.82.112.3", "2001:db8::1"
  std::int64_t port = 0;
  std::string protocol;  // "tcp", "udp", "" if unknown
};
std::optional<Endpoint> remote_endpoint(const json& ev);
std::uint64_t bytes_sent(const json& ev);
std::uint64_t bytes_received(const json& ev);
// dns_answer: the name asked for and the addresses it resolved to.
struct DnsAnswer {
  std::string name;
  std::vector<std::string> addresses;
};
std::optional<DnsAnswer> dns_answer(const json& ev);

// Files: the path of a file event and whether it wrote (created, modified, opened for writing).
std::string file_path(const json& ev);
bool file_written(const json& ev);

}  // namespace jobtrail::summary
