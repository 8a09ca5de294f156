#pragma once
// Checkpoints (docs/archive.md): small signed objects the writer adds after each segment
// reaches the store, and once more after the manifest, under a prefix of their own outside the
// archive's folder: "checkpoints/" + archive prefix. Each commits to the chain so far; a
// verifier holding the public key compares the archive with the newest one, so a cut tail or
// a removed manifest reads as tampering rather than as a writer that never finished.
// Pure data, names and the signed text; no I/O.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace jobtrail::archive {

struct Checkpoint {
  std::string archive_prefix;   // the archive's prefix at the store root ("" for a folder archive)
  std::string manifest;         // the manifest's key at the store root
  std::uint64_t segments = 0;   // sealed segments covered: entries 0 .. segments-1
  std::string chain_head;       // entry_hash of entry segments-1 (64 zeros when none)
  std::uint64_t events = 0;     // events in those segments (the next seq)
  bool final = false;           // written after the manifest
  std::string manifest_sha256;  // final only: SHA-256 of the manifest bytes the writer stored
  std::string at;               // RFC 3339 UTC
  std::string key_id;
  std::string signature;        // base64 Ed25519 over checkpoint_signed_text()
};

// "checkpoints/<archive prefix>": keys relative to the store root.
std::string checkpoint_prefix(std::string_view archive_prefix);
// "<checkpoint prefix>000007.json" after 7 segments; "<checkpoint prefix>final.json" after the manifest.
std::string checkpoint_key(std::string_view archive_prefix, const Checkpoint&);
// The order of a checkpoint object's name in its folder: the segment count, final above every
// count; nullopt for a name that is no checkpoint's.
std::optional<std::uint64_t> checkpoint_rank(std::string_view name);

// jobtrail-checkpoint-v1\n then one line each: archive_prefix, manifest, segments, chain_head,
// events, final (0|1), manifest_sha256, at, key_id.
std::string checkpoint_signed_text(const Checkpoint&);

std::string to_json_text(const Checkpoint&);
// nullopt with `why` set for a body that is not a well-formed checkpoint (no exceptions).
std::optional<Checkpoint> parse_checkpoint(std::string_view body, std::string& why);

}  // namespace jobtrail::archive
