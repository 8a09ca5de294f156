#pragma once
// Helpers for archive tests: temporary folders, synthetic events, a failing Store double.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "trail/storage/local_store.hpp"

namespace archive_test {

struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& tag) {
    static std::atomic<int> n{0};
    path = std::filesystem::temp_directory_path() /
           ("jobtrail-archive-" + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

inline nlohmann::json make_event(std::uint64_t i) {
  static const char* types[] = {"process_exec", "process_exit", "file_open", "net_connect"};
  return {{"type", types[i % 4]},
          {"time", "2026-11-29T00:00:00.000000000Z"},
          {"process",
           {{"pid", 1000 + i % 5000}, {"ppid", 1}, {"binary", "/usr/bin/tool"},
            {"args", {"tool", "--index", std::to_string(i), "a b \"c\""}},
            {"exec_id", "e" + std::to_string(i / 3)}}}};
}

// A store that fails on purpose: the first `fail_first` uploads throw a retryable error;
// with `land_then_fail` the first upload is stored and still reported as failed (a lost
// reply), so the writer must recognise its own object; `down` fails everything;
// `segments_retry_long` makes each segment upload retry inside the store for 10 s (as the S3
// client does) unless the store's deadline comes first.
class FlakyStore : public jobtrail::storage::LocalStore {
 public:
  using LocalStore::LocalStore;
  std::atomic<int> fail_first{0};
  std::atomic<bool> land_then_fail{false};
  std::atomic<bool> down{false};           // every upload fails
  std::atomic<bool> segments_down{false};  // segment uploads fail, small objects (manifest) work
  std::atomic<bool> segments_retry_long{false};
  std::atomic<int> failures{0}, puts{0};
  // Keys containing this text fail forever: refused (403 AccessDenied, retrying cannot help)
  // or, with `key_fails_transiently`, as a retryable 503 while every other key goes through.
  std::string failing_key;
  bool key_fails_transiently = false;
  std::atomic<std::chrono::steady_clock::time_point> deadline{std::chrono::steady_clock::time_point::max()};

  void set_deadline(std::chrono::steady_clock::time_point d) override { deadline = d; }
  void put_new_file(const std::string& key, const std::filesystem::path& file, std::string_view ct) override {
    check_key(key);
    if (segments_down) fail("connection refused (injected)");
    if (segments_retry_long) {
      auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      while (std::chrono::steady_clock::now() < std::min(give_up, deadline.load()))
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      fail("503 SlowDown after retries (injected)");
    }
    maybe_fail();
    LocalStore::put_new_file(key, file, ct);
    ++puts;
    if (land_then_fail.exchange(false)) fail("connection reset after the body was sent");
  }
  void put_new(const std::string& key, std::string_view body, std::string_view ct) override {
    check_key(key);
    maybe_fail();
    LocalStore::put_new(key, body, ct);
    ++puts;
  }

 private:
  void check_key(const std::string& key) {
    if (failing_key.empty() || key.find(failing_key) == std::string::npos) return;
    ++failures;
    if (key_fails_transiently) throw jobtrail::storage::StoreError("SlowDown", "503 SlowDown on " + key + " (injected)", true);
    throw jobtrail::storage::StoreError("AccessDenied", "403 AccessDenied on " + key + " (injected)", false);
  }
  void maybe_fail() {
    if (down || fail_first.fetch_sub(1) > 0) fail("503 SlowDown (injected)");
  }
  void fail(const std::string& what) {
    ++failures;
    throw jobtrail::storage::StoreError("SlowDown", what, true);
  }
};

}  // namespace archive_test
