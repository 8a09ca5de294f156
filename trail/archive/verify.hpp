#pragma once
// The verifier: checks an archive against its manifest and reports each distinct problem as
// data (kind, segment, message); the CLI maps the verdict to its exit status.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "trail/archive/manifest.hpp"
#include "trail/storage/store.hpp"

namespace jobtrail::archive {

enum class ProblemKind {
  manifest_missing,      // no manifest.json: the writer never finished (incomplete)
  manifest_invalid,      // manifest.json unreadable or of another format (tampered)
  incomplete,            // manifest says complete:false (incomplete_reason in the message)
  segment_not_uploaded,  // missing, but the manifest declares it not uploaded (incomplete)
  segment_missing,       // missing although the manifest says it was stored (tampered)
  size_mismatch,         // stored size differs from the manifest (tampered)
  sha_mismatch,          // SHA-256 of the stored bytes differs (tampered)
  chain_broken,          // an entry's hash or prev link is wrong: altered/removed/inserted (tampered)
  reordered,             // entries are all there but out of order (tampered)
  seq_gap,               // seq numbers not contiguous from 0 (tampered)
  count_mismatch,        // events per segment/type differ from the manifest (tampered)
  decode_error,          // a segment does not decompress, or a line is not JSON (tampered)
  unlisted_segment,      // a segment object the manifest does not list (incomplete)
  writer_restarted,      // the writer restarted mid-job and resumed its spool: events of the
                         // time it was down are not in the trail (incomplete)
  lost_events,           // the manifest records lost events (lost)
  family_missing,        // a tracer family the kernel could not load (meta.features.F.loaded
                         // false): none of its events are in the trail (family_missing)
  // Authenticity, checked with --key (verify_signed.hpp):
  not_signed,            // no signature although keys were given ("unsigned")
  bad_signature,         // a signature that does not verify with the key it names
  key_mismatch,          // signed by a key none of the given keys is
  tail_cut,              // the archive ends before the writer's newest checkpoint (tampered)
  checkpoint_mismatch,   // the archive's chain or manifest is not the one the checkpoint names (tampered)
  index_mismatch,        // the index object names another archive than the manifest is (index_mismatch)
};

// Worst first: bad_signature > key_mismatch > not_signed > index_mismatch > tampered > incomplete >
// family_missing > lost_events > ok. Authenticity ranks first: the contents of an archive no trusted
// key signed are not evidence of anything, whatever else is wrong with them.
enum class Verdict {
  ok = 0, lost_events = 1, family_missing = 2, incomplete = 3, tampered = 4,
  index_mismatch = 5, not_signed = 6, key_mismatch = 7, bad_signature = 8
};

struct Problem {
  ProblemKind kind;
  std::string segment;  // "" when not about one segment
  std::string message;  // one line, for people
};

struct VerifyReport {
  std::optional<Manifest> manifest;
  std::string manifest_bytes;  // as read, for its signature
  std::vector<Problem> problems;
  std::uint64_t segments_checked = 0;
  std::uint64_t events_checked = 0;
  Verdict verdict() const;
  bool has(ProblemKind k) const;
};

std::string_view to_string(ProblemKind);
std::string_view to_string(Verdict);
Verdict verdict_of(ProblemKind);

// Pure checks, no I/O.
std::vector<Problem> check_chain(const std::vector<SegmentEntry>& segments);
std::vector<Problem> check_manifest(const Manifest&);  // chain + totals + complete + lost
// `objects`: the store listing under the archive prefix, keys relative to that prefix.
std::vector<Problem> check_listing(const Manifest&, const std::vector<storage::ObjectInfo>& objects);

struct VerifyOptions {
  bool contents = true;  // download/read every segment: SHA-256, decode, seq, counts
};

VerifyReport verify_archive(storage::Store& store, const std::string& archive_prefix, VerifyOptions = {});

}  // namespace jobtrail::archive
