#pragma once
// The archive manifest (docs/archive.md): pure data, naming and the hash chain over
// segment entries. No I/O here, so every rule is unit-tested directly.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace jobtrail::archive {

inline constexpr int format_version = 1;
// Version of the event lines' schema (docs/schema.md), written in the manifest as
// "schema_version". 2: strings that are not UTF-8 keep their exact bytes in a `K_b64` sibling
// (trail/text/exact_bytes.hpp). A manifest without the key is of schema 1 (U+FFFD, bytes lost);
// readers handle both, the sibling is simply absent in version 1.
inline constexpr int event_schema_version = 2;
inline constexpr std::string_view format_name = "jobtrail-archive";
// Key layout of the store (trail/archive/layout.hpp): 2 = date-partitioned events/dt=.../ with
// this manifest name, which query engines skip; 1 = pods/... with "manifest.json".
inline constexpr int layout_version = 2;
inline constexpr std::string_view manifest_name = "_manifest.json";
inline constexpr std::string_view segment_content_type = "application/zstd";

// "events-000042.jsonl.zst"
std::string segment_name(std::uint64_t index);
std::optional<std::uint64_t> parse_segment_name(std::string_view name);

// One sealed segment. prev is the entry_hash of the previous entry (genesis for the first);
// entry_hash covers every other field, so a changed, missing or reordered entry breaks the chain.
struct SegmentEntry {
  std::string name;
  std::uint64_t size = 0;
  std::string sha256;
  std::uint64_t events = 0;
  std::uint64_t first_seq = 0;
  std::uint64_t last_seq = 0;
  std::string prev;
  std::string entry_hash;
  std::string sig = {};  // base64 Ed25519 over entry_signed_text(entry_hash) (signing.hpp); "" unsigned
};

std::string genesis_hash();  // 64 zeros: the prev of the first entry
std::string compute_entry_hash(const SegmentEntry&);
// Sets e.prev from the last entry (or genesis) and e.entry_hash, then appends.
void chain_append(std::vector<SegmentEntry>& chain, SegmentEntry e);

nlohmann::json to_json(const SegmentEntry&);
SegmentEntry segment_entry_from_json(const nlohmann::json&);  // throws on missing fields

using Counts = std::map<std::string, std::uint64_t>;

// An object the writer gave up (the store refused it, or it kept failing while others went through).
struct FailedObject {
  std::string key;
  std::string error;
  std::uint64_t attempts = 0;
};

struct Manifest {
  std::string archive_id;
  std::string archive_prefix;
  std::string writer_version;
  int schema_version = event_schema_version;  // of the event lines; 1 when the manifest predates the key
  int layout_version = archive::layout_version;  // of the keys; 1 when the manifest predates the key
  nlohmann::json meta = nlohmann::json::object();
  nlohmann::json job_identity;  // null when unknown
  std::string started_at;
  std::string ended_at;
  bool complete = false;
  std::string incomplete_reason;
  std::uint64_t events = 0;
  Counts event_counts;
  Counts lost;
  std::uint64_t spool_dropped = 0;  // events refused because the spool was full (also in lost)
  std::vector<SegmentEntry> segments;
  std::vector<std::string> not_uploaded;  // sealed segments that were not in the store at finish
  std::vector<FailedObject> failed_objects;  // given up by the uploader (segments, index)
  nlohmann::json resumed = nlohmann::json::array();  // one record per restart that resumed a spool
};

nlohmann::json to_json(const Manifest&);
// Throws std::runtime_error naming the offending field; refuses an unknown format version.
Manifest manifest_from_json(const nlohmann::json&);

// jobs/<owner>/<repo>/<run_id>/<run_attempt>/<job>/<name>.json, or nullopt when the identity
// lacks a field. Accepts both our names (repository, run_id, run_attempt, job) and the
// GITHUB_* variable names. Each component is made safe for a key (no '/', no "..").
std::optional<std::string> index_key(const nlohmann::json& identity, const std::string& name);
std::string key_component(std::string_view raw);

}  // namespace jobtrail::archive
