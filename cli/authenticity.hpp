#pragma once
// `verify --key` / `fetch --key`: the public keys to trust, where the writer's checkpoints are,
// and the authenticity checks of trail/archive/verify_signed.hpp run on one archive.
#include <optional>
#include <string>
#include <vector>

#include "cli/locate.hpp"
#include "trail/archive/verify_signed.hpp"

namespace jobtrail::cli {

// What the report says about signatures: not checked (no --key), or what was found.
struct Authenticity {
  bool checked = false;
  archive::SignatureReport report;
  std::string checkpoints_at;  // the URL of the checkpoint folder searched, "" when none was found
};

// Throws CliError(usage) naming the file that is not an Ed25519 public key.
sign::KeyRing load_keys(const std::vector<std::string>& pem_files);

// The writer's checkpoint folder of the archive `loc` names: from the index (store root and
// prefix), else the first folder checkpoints/<suffix> of a parent URL of the archive, suffix the
// rest of its path (the manifest's archive_prefix first). No store root is assumed.
struct FoundCheckpoints {
  std::shared_ptr<storage::Store> root;  // null: none found
  std::string archive_prefix, url;
};
FoundCheckpoints find_checkpoints(const Located& loc, const std::optional<archive::Manifest>& manifest,
                                  const storage::StoreOptions& options);

// Runs the checks and appends their problems (and the index check, when `loc` came through an
// index object) to `rep`. `archive`/`prefix`: where the manifest and segments are read from
// (the remote archive, or fetch's local copy).
Authenticity check_authenticity(archive::VerifyReport& rep, storage::Store& archive, const std::string& prefix,
                                const Located& loc, const sign::KeyRing& keys, const storage::StoreOptions& options);

}  // namespace jobtrail::cli
