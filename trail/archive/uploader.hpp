#pragma once
// The background uploader: one thread that puts queued objects into the store in order,
// retrying failures with exponential backoff and jitter for as long as it runs. Store errors
// are logged once per distinct error (and once when the store recovers), counted, and never
// thrown at the caller.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

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

struct UploaderStats {
  std::uint64_t uploaded = 0, retries = 0, bytes = 0, conflicts = 0;
  std::string last_error;
};

class Uploader {
 public:
  using Done = std::function<void(const UploadItem&)>;
  Uploader(std::shared_ptr<storage::Store> store, std::chrono::milliseconds retry_base,
           std::chrono::milliseconds retry_max, Done on_done);
  ~Uploader();  // stop()
  Uploader(const Uploader&) = delete;
  Uploader& operator=(const Uploader&) = delete;

  void enqueue(UploadItem item);
  // True once nothing is queued or in flight; false if `deadline` came first.
  bool wait_idle(std::chrono::steady_clock::time_point deadline);
  void hurry();  // finishing: retry sooner (backoff capped low)
  void stop();   // lets a running attempt end, then joins
  std::vector<UploadItem> pending() const;  // queued, in flight, or given up (conflicts)
  UploaderStats stats() const;

 private:
  void run();
  bool attempt(const UploadItem& item);  // true when the store has the object
  std::chrono::milliseconds backoff(unsigned attempt);
  void note_failure(const std::string& code, const std::string& message, const UploadItem& item);

  std::shared_ptr<storage::Store> store_;
  std::chrono::milliseconds base_, max_;
  Done on_done_;
  mutable std::mutex mu_;
  std::condition_variable cv_, idle_cv_;
  std::deque<UploadItem> queue_;
  std::vector<UploadItem> given_up_;
  bool in_flight_ = false, stop_ = false, hurry_ = false;
  unsigned attempts_ = 0;                     // consecutive failures of the head item
  std::chrono::steady_clock::time_point next_try_{};
  std::string last_logged_;                   // the error last logged, to log each once
  UploaderStats stats_;
  std::thread thread_;
};

}  // namespace jobtrail::archive
