#pragma once
// The archive writer: one archive = one pod's trail (docs/archive.md).
//
// append() compresses event lines into the open segment (zstd, in the spool folder); segments
// are sealed by size or age and uploaded by a background thread while the job runs. The spool
// keeps each segment until the store acknowledged it; a Writer started on a spool holding an
// earlier Writer's leftovers of the same archive resumes them (numbering, seq, hash chain).
// finish() seals, uploads what is left, then writes manifest.json and the index object.
// Store errors are never fatal: they are retried with backoff, counted and logged.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "trail/archive/manifest.hpp"
#include "trail/sign/ed25519.hpp"
#include "trail/archive/upload_policy.hpp"
#include "trail/storage/store.hpp"

namespace jobtrail::archive {

struct WriterOptions {
  std::filesystem::path spool_dir;                    // segments live here until the store acknowledged them
  std::uint64_t segment_max_bytes = 8 << 20;          // rotate by size (compressed bytes)...
  std::chrono::milliseconds segment_max_age{10'000};  // ...or by age
  std::uint64_t spool_max_bytes = 1ull << 30;         // bound; hitting it is logged and counted, never fatal
  // Level 1: on the trail's repetitive JSON lines it compresses 22-26x (level 3: 22-26x too, up to
  // 15 % smaller on mixed trails, some larger) at about twice the speed; the sidecar's CPU per
  // event competes with the job it watches.
  int zstd_level = 1;
  // Backoff between upload attempts: base * 2^attempt, capped, with full jitter.
  std::chrono::milliseconds retry_base{200};
  std::chrono::milliseconds retry_max{30'000};
  // The wall clock (RFC 3339) stamped on the archive's start and end; the date of the start
  // names the summary row's partition. Unset: the system clock. A store generator sets its own.
  std::function<std::string()> wall_clock;
  // Signs every chain entry, the manifest and the checkpoints (docs/archive.md, "Signatures");
  // null: the archive is unsigned, and unsigned_reason (if any) goes into meta.signing.
  std::shared_ptr<const sign::PrivateKey> signing_key;
  std::string unsigned_reason;
  UploadPolicy upload_policy;  // when an object that keeps failing is given up
};

// Counters for the sidecar's /metrics. All monotonic except spool_bytes and last_error.
struct WriterStats {
  std::uint64_t events = 0;              // events appended (seq assigned)
  std::uint64_t events_dropped = 0;      // refused because the spool was full (also in manifest "lost")
  std::uint64_t segments_spooled = 0;    // segments sealed into the spool
  std::uint64_t segments_uploaded = 0;   // segments the store acknowledged
  std::uint64_t segments_resumed = 0;    // leftovers of an earlier Writer found in the spool
  std::uint64_t upload_retries = 0;      // failed attempts that were retried
  std::uint64_t bytes_spooled = 0;       // compressed bytes written into segments
  std::uint64_t bytes_uploaded = 0;      // compressed bytes acknowledged by the store
  std::uint64_t spool_bytes = 0;         // bytes now in the spool (gauge)
  std::uint64_t spool_full_hits = 0;     // times the spool bound was hit
  std::uint64_t objects_given_up = 0;    // objects the store would not take (manifest failed_objects)
  std::string last_error;                // last store error, "" if none yet
};

class Writer {
 public:
  // Returned by append() when the event was dropped because the spool is full.
  static constexpr std::uint64_t dropped = ~std::uint64_t{0};

  // archive_prefix: "pods/<ns>/<pod>/<uid>/" in S3, "" for `record --out DIR` (store = file://DIR).
  // The index object is written at the STORE root (jobs/...), not under archive_prefix.
  // meta: pod/node/sidecar-version facts copied into the manifest; meta["pod"]["uid"] (or
  // meta["pod_uid"]) names the index object, else the archive id is used.
  Writer(WriterOptions, std::shared_ptr<storage::Store>, std::string archive_prefix, nlohmann::json meta);
  ~Writer();  // stops the uploader; does NOT finish (call finish() for a manifest)
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  std::uint64_t append(nlohmann::json& event);  // sets event["seq"] (gap-free, from 0), writes one line
  void set_job_identity(const nlohmann::json& identity);  // manifest + index object jobs/<owner>/<repo>/...
  void add_lost(const std::string& event_type, std::uint64_t n);  // totals in the manifest
  void tick(std::chrono::steady_clock::time_point now);           // cheap; rotates by age
  // Builds the job's summary row (docs/fleet.md) from the manifest finish() writes; the row goes
  // to summaries/dt=<start date>/<uid>.json at the store root right after the manifest.
  // Without one, no row is written.
  void set_job_row(std::function<nlohmann::json(const Manifest&)> build);

  struct FinishResult {
    bool complete;
    std::string reason;
    std::vector<std::string> not_uploaded;  // segment names (and "manifest.json"/"index") that did not make it
    std::vector<std::string> given_up;      // those of not_uploaded the store refused (failed_objects)
  };
  FinishResult finish(bool complete, std::string reason, std::chrono::steady_clock::time_point deadline);

  WriterStats stats() const;  // thread-safe
  const std::string& archive_prefix() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace jobtrail::archive
