#pragma once
// The background uploader: puts queued objects into the store, each object with its own retry
// state (exponential backoff with jitter), so one object that keeps failing never holds up the
// others: later segments and the index go on while it waits for its next try. Two worker
// threads; at most one of them works on a retry at a time, so a retry that hangs in the store's
// own timeouts leaves the other free for fresh objects. An object retrying cannot help is given
// up (trail/archive/upload_policy.hpp). Store errors are logged once per distinct error (and once
// when the object goes through), counted, and never thrown at the caller.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "trail/archive/upload_policy.hpp"
#include "trail/storage/store.hpp"

namespace jobtrail::archive {

struct UploadItem {
  enum class Kind { segment, index } kind = Kind::segment;
  std::string label;              // segment name or "index"
  std::string key;                // store key
  std::filesystem::path file;     // upload this file...
  std::string body;               // ...or this body (file empty)
  std::string content_type;
  std::string sha256;             // of the file (to recognise our own earlier upload)
  std::uint64_t size = 0;
};

// An object the uploader stopped trying: refused by the store, failing while others went
// through, or a different object already under its key (nothing is overwritten).
struct FailedUpload {
  UploadItem item;
  std::string error;  // "Code: message" of the last attempt
  unsigned attempts = 0;
};

struct UploaderStats {
  std::uint64_t uploaded = 0, retries = 0, bytes = 0, conflicts = 0, given_up = 0;
  std::string last_error;
};

class Uploader {
 public:
  using Done = std::function<void(const UploadItem&)>;
  using GivenUp = std::function<void(const FailedUpload&)>;
  static constexpr unsigned workers = 2;
  Uploader(std::shared_ptr<storage::Store> store, std::chrono::milliseconds retry_base,
           std::chrono::milliseconds retry_max, Done on_done, UploadPolicy policy = {}, GivenUp on_given_up = {});
  ~Uploader();  // stop()
  Uploader(const Uploader&) = delete;
  Uploader& operator=(const Uploader&) = delete;

  void enqueue(UploadItem item);
  // True once nothing is queued or in flight; false if `deadline` came first.
  bool wait_idle(std::chrono::steady_clock::time_point deadline);
  void hurry();  // finishing: retry sooner (backoff capped low)
  // finishing, once the deadline's reserve began: no more retries (fresh objects still go), so the
  // manifest written meanwhile does not share the store with objects that keep failing.
  void hold_retries();
  void stop();   // lets running attempts end, then joins
  std::vector<UploadItem> pending() const;  // queued, in flight, or given up
  std::vector<FailedUpload> failed() const;  // given up, in the order it happened
  UploaderStats stats() const;

 private:
  struct Entry {
    UploadItem item;
    unsigned attempts = 0;         // failed attempts so far
    unsigned refused_in_a_row = 0;
    bool in_flight = false;
    std::chrono::steady_clock::time_point next_try{}, first_failure{};
    std::uint64_t stored_before = 0;  // stores_ at the first failure
    std::string last_error;
  };
  enum class Outcome { stored, conflict, failed };
  struct Attempt {
    Outcome outcome = Outcome::failed;
    FailureKind kind = FailureKind::transient;
    std::string error;
  };

  void run();
  std::list<Entry>::iterator pick(std::chrono::steady_clock::time_point now,
                                  std::chrono::steady_clock::time_point& wake);  // mu_ held
  Attempt attempt(const UploadItem& item);
  void settle(std::list<Entry>::iterator it, const Attempt& a);  // after an attempt, mu_ not held
  std::chrono::milliseconds backoff(unsigned attempt);
  void log_failure(const Entry& e, const std::string& text);  // mu_ held

  std::shared_ptr<storage::Store> store_;
  std::chrono::milliseconds base_, max_;
  Done on_done_;
  UploadPolicy policy_;
  GivenUp on_given_up_;
  mutable std::mutex mu_;
  std::condition_variable cv_, idle_cv_;
  std::list<Entry> queue_;  // stable iterators: an entry stays put while a worker uploads it
  std::vector<FailedUpload> given_up_;
  bool stop_ = false, hurry_ = false, retry_busy_ = false, retries_held_ = false;
  std::uint64_t stores_ = 0;   // objects stored, to tell "store down" from "store refuses this one"
  std::string last_logged_;    // the error last logged, to log each once
  UploaderStats stats_;
  std::vector<std::thread> threads_;
};

}  // namespace jobtrail::archive
