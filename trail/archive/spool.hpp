#pragma once
// The spool folder of one archive: sealed segments waiting for the store, the open segment
// (*.partial) and journal.jsonl, an append-only record of what was sealed (entries, counts),
// the job identity and progress. A Writer started on a spool with leftovers recovers from it:
// sealed segments not yet uploaded are queued again, and a *.partial left by a crash is
// salvaged up to its last complete line and sealed.
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "trail/archive/manifest.hpp"

namespace jobtrail::archive {

class Journal {
 public:
  explicit Journal(std::filesystem::path path);  // opens for appending (creates)
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;
  void append(const nlohmann::json& record);  // one line, synced to disk
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  std::mutex mu_;  // the uploader thread records progress too
};

struct SpoolState {
  nlohmann::json archive;  // the "archive" record (archive_id, started_at, ...); null if none
  std::vector<SegmentEntry> chain;
  Counts event_counts, lost;
  std::uint64_t spool_dropped = 0;
  nlohmann::json identity;  // null if none recorded
  bool index_done = false;
  bool finished = false;                 // an earlier Writer already wrote the manifest
  std::vector<std::string> pending;      // sealed segments still in the spool, in order
  std::uint64_t salvaged_events = 0;     // lines rescued from a crashed writer's open segment
  nlohmann::json resumed = nlohmann::json::array();
  std::uint64_t next_index() const;      // number of the next segment
  std::uint64_t next_seq() const;
};

inline constexpr std::string_view journal_name = "journal.jsonl";
inline constexpr std::string_view partial_suffix = ".partial";

// Reads the journal and the folder, salvages/seals leftovers (recording them in `journal`).
SpoolState recover_spool(const std::filesystem::path& dir, Journal& journal, int zstd_level);

// Counts of one segment being written, kept per segment so the journal can rebuild totals.
nlohmann::json segment_record(const SegmentEntry&, const Counts& counts, const Counts& lost,
                              std::uint64_t dropped);

}  // namespace jobtrail::archive
