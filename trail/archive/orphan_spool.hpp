#pragma once
// Finishing the spools of pods whose sidecar died on this node (a store outage at pod end, a
// node-level kill): a folder <root>/<pod uid>/ whose owner.lock can be taken has no live owner
// (trail/archive/spool_lock.hpp). Its segments go to the store and its manifest is written with
// complete: false, "finished by <finisher> after owner died", and exact counts; then the folder
// is removed.
//
// Everything in such a folder is hostile input: the job is root in a privileged pod and may have
// written into the hostPath. So the scan is bounded (entries, files, bytes), opens nothing through
// a symlink, copies what it accepts from the file descriptors it checked into a private staging
// folder (nothing can change under the archive writer afterwards), and checks the journal ties
// the archive to this store and to the folder's own name. A folder that fails a check is skipped
// with a logged, counted reason, never an exception.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "trail/archive/writer.hpp"
#include "trail/storage/store.hpp"

namespace jobtrail::archive {

struct OrphanSweep {
  std::filesystem::path root;     // the node's spool root: one folder per pod uid
  std::string own_name;           // our own folder: never touched
  std::string finisher;           // "<namespace>/<pod>" of this sidecar, for incomplete_reason
  std::filesystem::path staging;  // private (not on the hostPath): the accepted copy goes here
  std::uint64_t max_bytes = 1ull << 30;     // per folder; a bigger one is skipped
  std::chrono::seconds grace{360};          // an owner's last write at least this old
  std::chrono::milliseconds budget{15'000}; // to finish one orphan (its writer's flush deadline)
  std::size_t max_folders = 256;            // looked at per sweep
  WriterOptions writer;                     // retry settings for the orphans' uploads
};

struct SweepReport {
  unsigned finished = 0;        // uploaded and removed
  unsigned left = 0;            // adopted but not everything reached the store: kept for later
  unsigned alive = 0;           // owner alive, or active within the grace time
  unsigned skipped = 0;         // failed a check (reasons logged and listed)
  std::vector<std::string> reasons;  // "<folder>: <why>" per skipped folder
};

// The reason an adopted archive's manifest carries.
std::string orphan_reason(const std::string& finisher);

// A folder name that can be a pod's: [A-Za-z0-9._-], 1..128 bytes, not starting with '.'.
bool plausible_spool_name(const std::string& name);

SweepReport sweep_orphans(const OrphanSweep& sweep, const std::shared_ptr<storage::Store>& store);

}  // namespace jobtrail::archive
