#pragma once
// Authenticity of an archive, checked against the public keys a verifier trusts
// (docs/archive.md, "Signatures" and "Checkpoints"): the manifest's signature object, each
// chain entry's signature, the newest checkpoint the writer left under checkpoints/<prefix>,
// and the index object that led to the archive. Pure checks first, then the one I/O driver.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "trail/archive/checkpoint.hpp"
#include "trail/archive/verify.hpp"
#include "trail/sign/key_ring.hpp"

namespace jobtrail::archive {

// Pure. `signature_body`: the manifest's signature object, nullopt when there is none. Sets
// `signer` to the key id whose signature verified ("" otherwise).
std::vector<Problem> check_manifest_signature(const sign::KeyRing&, const Manifest*, std::string_view manifest_bytes,
                                              const std::optional<std::string>& signature_body, std::string& signer);
// Pure: every entry's sig against the key that signed the manifest.
std::vector<Problem> check_entry_signatures(const sign::PublicKey&, const Manifest&);
// Pure: nullopt when `c` is a checkpoint of this archive (found under checkpoint_prefix(archive_prefix))
// signed by a trusted key; else the problem.
std::optional<Problem> check_checkpoint_signature(const sign::KeyRing&, const Checkpoint&, std::string_view archive_prefix,
                                                  const std::string& key);
// Pure: the archive against its newest valid checkpoint. `manifest` null when there is none;
// `stored_segments`: how many segments, numbered from 0 without a gap, the store holds.
std::vector<Problem> compare_with_checkpoint(const Checkpoint&, const std::string& checkpoint_key, const Manifest* manifest,
                                             bool manifest_present, std::string_view manifest_bytes,
                                             std::uint64_t stored_segments);
// Pure: the index object against the manifest it led to (read from `manifest_key`).
std::vector<Problem> check_index(const nlohmann::json& index, const Manifest&, const std::string& manifest_key);

struct SignatureReport {
  bool manifest_present = false;         // false: there was no manifest signature to check
  std::string signer;                    // key id of the manifest's verified signature, or ""
  std::optional<Checkpoint> checkpoint;  // the newest valid checkpoint, if any
  std::string checkpoint_key;
  std::vector<Problem> problems;
};

// Where the writer's checkpoints are: the store root and the archive's prefix under it.
struct CheckpointPlace {
  storage::Store* root = nullptr;  // null: not found (no checkpoint is compared)
  std::string archive_prefix;
};

// Reads the manifest's signature object (from `archive` under `prefix`, next to the manifest
// `report` read) and the checkpoints, and checks them. `report` is verify_archive's.
SignatureReport verify_signatures(storage::Store& archive, const std::string& prefix, const VerifyReport& report,
                                  const CheckpointPlace& checkpoints, const sign::KeyRing& keys);

}  // namespace jobtrail::archive
