#pragma once
// Exit statuses of `jobtrail` and the one error type commands throw. Each status means one
// thing a script can act on (docs/cli.md lists them).
#include <stdexcept>
#include <string>

#include "trail/storage/store.hpp"

namespace jobtrail::cli {

enum Exit : int {
  exit_ok = 0,
  exit_internal = 1,     // a bug or an unexpected failure
  exit_usage = 2,        // bad flags or arguments
  exit_not_found = 3,    // no such archive / job
  exit_storage = 4,      // the store failed: wrong bucket, no credentials, access denied, unreachable
  exit_lost = 5,         // archive intact, but the tracer recorded lost events
  exit_incomplete = 6,   // archive cut short (no manifest, complete:false, segments never uploaded)
  exit_tampered = 7,     // corrupt or altered: a segment's size/SHA-256/decode, the hash chain, seq
  exit_family_missing = 8,  // archive intact, but a tracer family could not load on the node's kernel
  exit_unsigned = 9,        // --key given, the archive carries no signature
  exit_bad_signature = 10,  // a signature does not verify: altered or forged
  exit_key_mismatch = 11,   // signed by a key none of the --key files is
  exit_index_mismatch = 12, // the index object names another archive than the one it leads to
};

class CliError : public std::runtime_error {
 public:
  CliError(int status, const std::string& message) : std::runtime_error(message), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

// A store failure as something a user can act on (which bucket, which credentials...).
CliError explain(const storage::StoreError& e, const std::string& where);

}  // namespace jobtrail::cli
