#pragma once
// Object storage seen by the archive: a flat key space under the store's own prefix.
// Implementations: LocalStore (file:// and plain paths, trail/storage/local_store.hpp) and
// S3Store (s3://, trail/s3/). Keys are always relative to the store's prefix and use '/'.
//
// Thread safety: the archive Writer calls a Store from its uploader thread and, during
// finish(), from the finishing thread at the same time. Implementations must allow that.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <istream>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace CLI {
class App;
}

namespace jobtrail::storage {

struct ObjectInfo {
  std::string key;
  std::uint64_t size = 0;
  std::string last_modified;  // RFC 3339 UTC
};

// One failed store operation. code() is the S3 error code or its local equivalent:
// "AlreadyExists", "NoSuchKey", "AccessDenied", "InvalidKey", "IOError", "NetworkError",
// "SlowDown", "InternalError", ... retryable() says whether trying again later can help.
class StoreError : public std::runtime_error {
 public:
  StoreError(std::string code, const std::string& message, bool retryable = false)
      : std::runtime_error(message), code_(std::move(code)), retryable_(retryable) {}
  const std::string& code() const { return code_; }
  bool retryable() const { return retryable_; }

 private:
  std::string code_;
  bool retryable_;
};

// The most get() reads into memory. A manifest names one entry per segment (~300 bytes), so a
// job would need ~200,000 segments to reach it; an object this large in a bucket or folder is
// somebody else's, and reading it whole would let it take the reader's memory.
inline constexpr std::uint64_t max_get_bytes = 64ull << 20;

class Store {
 public:
  virtual ~Store() = default;
  virtual std::string url() const = 0;  // for logs: "s3://bucket/prefix" or "file:///dir"
  // Creates an object; never overwrites (S3: If-None-Match: *). Throws StoreError("AlreadyExists").
  virtual void put_new(const std::string& key, std::string_view body, std::string_view content_type) = 0;
  // Streams from disk; multipart if large. Never overwrites.
  virtual void put_new_file(const std::string& key, const std::filesystem::path& file,
                            std::string_view content_type) = 0;
  // The whole object in memory: throws StoreError("NoSuchKey"), and StoreError("TooLarge") for
  // one over max_get_bytes (an archive's small objects only: read segments with open_read).
  virtual std::string get(const std::string& key) = 0;
  virtual void get_to_file(const std::string& key, const std::filesystem::path& file) = 0;
  virtual std::vector<ObjectInfo> list(const std::string& prefix) = 0;  // recursive, all pages

  // A stream over one object for bounded-memory readers. The default downloads the object
  // to a temporary file (deleted when the stream is destroyed) and reads it from there;
  // LocalStore reads the file in place.
  virtual std::unique_ptr<std::istream> open_read(const std::string& key);

  // Until lifted (time_point::max()), calls from every thread, the ones under way included, end by
  // `deadline` instead of retrying past it: they fail with a retryable StoreError. The archive's
  // flush at pod end sets it, so that a slow or failing store cannot hold the sidecar past the
  // pod's grace period. The default does nothing (a local store has no network retries).
  virtual void set_deadline(std::chrono::steady_clock::time_point deadline) { (void)deadline; }
};

struct StoreOptions {  // filled from --storage/--s3-* flags by sidecar and CLI alike
  std::string url;     // "s3://BUCKET/PREFIX", "file:///DIR" or a plain path
  std::string endpoint;  // --s3-endpoint, e.g. http://127.0.0.1:7480 (empty: AWS)
  std::string region = "us-east-1";
  bool path_style = false;
  std::string ca_bundle;                  // empty: system store
  bool insecure_skip_tls_verify = false;  // loud warning when set
  // Writers only (--object-lock-mode/--object-lock-days): S3 Object Lock retention on every object.
  std::string object_lock_mode;  // "" off, GOVERNANCE or COMPLIANCE
  std::uint32_t object_lock_days = 0;
};

// Dispatches on the URL scheme: "file://" and plain paths -> LocalStore, "s3://" -> S3Store
// (jobtrail::s3::open_s3_store from trail/s3/s3_store.hpp). Throws StoreError("InvalidUrl")
// with one clear line for anything else.
std::shared_ptr<Store> open_store(const StoreOptions&);

// The same flags in sidecar and CLI: --storage, --s3-endpoint, --s3-region, --s3-path-style,
// --ca-bundle, --insecure-skip-tls-verify.
void add_store_flags(CLI::App&, StoreOptions&);

}  // namespace jobtrail::storage
