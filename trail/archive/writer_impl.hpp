#pragma once
// Private state of archive::Writer, shared by writer.cpp (appending, sealing, resuming) and
// writer_finish.cpp (finish, manifest, index). Not part of the interface.
#include <atomic>
#include <map>
#include <mutex>
#include <optional>

#include "trail/archive/checkpoint.hpp"

#include "trail/archive/manifest.hpp"
#include "trail/archive/segment_file.hpp"
#include "trail/archive/spool.hpp"
#include "trail/archive/uploader.hpp"
#include "trail/archive/writer.hpp"

namespace jobtrail::archive {

struct Writer::Impl {
  WriterOptions opts;
  std::shared_ptr<storage::Store> store;
  std::string prefix;
  nlohmann::json meta;
  std::filesystem::path dir;  // this archive's folder in the spool
  std::unique_ptr<Journal> journal;

  mutable std::mutex mu;  // everything below; the uploader thread only touches the atomics
  std::string archive_id, started_at;
  std::vector<SegmentEntry> chain;
  Counts counts, lost;
  std::uint64_t dropped_total = 0;
  std::uint64_t next_seq = 0, next_index = 0;
  nlohmann::json identity;
  nlohmann::json resumed = nlohmann::json::array();

  // The open segment and what it holds so far (recorded in the journal when sealed).
  std::unique_ptr<SegmentFile> seg;
  std::uint64_t seg_events = 0, seg_first = 0, seg_dropped = 0;
  Counts seg_counts, seg_lost;
  std::chrono::steady_clock::time_point seg_opened{}, last_flush{};
  std::uint64_t appends = 0;
  std::string line;  // reused serialisation buffer

  bool spool_full = false, broken_logged = false;
  bool finishing = false;  // finish() has sealed: nothing more goes into the trail
  std::optional<FinishResult> finished;
  WriterStats counters;  // events/spooled parts; merged with the uploader's in stats()
  std::atomic<std::uint64_t> spool_bytes{0};
  std::atomic<std::uint64_t> uploaded_segments{0};

  std::unique_ptr<Uploader> uploader;
  std::function<nlohmann::json(const Manifest&)> job_row;

  // Writes the summary row of `man` until the deadline; false (and logged) if it did not land.
  bool write_job_row(const Manifest& man, std::chrono::steady_clock::time_point deadline);

  void resume(SpoolState st);
  void open_segment(std::chrono::steady_clock::time_point now);
  void seal();  // mu held
  void drop_broken_segment(const std::exception& e);  // mu held
  void enqueue_segment(const std::string& name, std::uint64_t size, const std::string& sha);
  void enqueue_index();  // mu held; needs identity
  std::string index_name() const;
  Manifest build_manifest(bool complete, const std::string& reason, const std::vector<std::string>& missing,
                          const std::vector<FailedUpload>& failed) const;
  void on_uploaded(const UploadItem& item);

  // Signatures and checkpoints (writer_sign.cpp).
  std::mutex checkpoint_mu;                           // checkpoint_due only: taken by the uploader thread
  std::map<std::string, Checkpoint> checkpoint_due;   // by segment name, written once it is stored
  void record_signing_in_meta();
  void sign_entry(SegmentEntry& e) const;
  void checkpoint_after(std::size_t entry);  // mu held: commits to chain[0..entry]
  void write_checkpoint(const std::string& segment);
  // After the manifest attempt: its signature object and the final checkpoint. `in_store`: the
  // manifest key is taken (ours, or someone else's written first).
  void after_manifest(const std::string& body, bool stored, bool in_store,
                      std::chrono::steady_clock::time_point deadline);
  std::string manifest_key() const { return prefix + std::string(manifest_name); }
  // The `lost` event for a given-up object, or null once finishing (mu not held).
  nlohmann::json given_up_event(const FailedUpload& f) const;
};

}  // namespace jobtrail::archive
