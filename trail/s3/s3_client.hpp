#pragma once
// A small, exact S3 client: signed requests (SigV4, x-amz-content-sha256 = real payload hash),
// a pool of keep-alive connections (one per concurrent caller), retries with exponential
// backoff and jitter on connection errors, timeouts, 5xx, 429 and SlowDown. A failure that
// retrying cannot fix throws storage::StoreError once, with the S3 code and message.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "trail/s3/credentials.hpp"
#include "trail/s3/endpoint.hpp"
#include "trail/s3/errors.hpp"
#include "trail/s3/http_connection.hpp"
#include "trail/s3/object_lock.hpp"
#include "trail/storage/store.hpp"

namespace jobtrail::s3 {

struct ClientOptions {
  Endpoint endpoint;
  std::string region = "us-east-1";
  bool path_style = false;
  TlsOptions tls;
  Timeouts timeouts;
  unsigned max_attempts = 6;  // ~10 s of backoff in all, before the caller's own spool retries
  Backoff backoff;
  std::uint64_t multipart_threshold = 64ull << 20;  // files above this upload in parts
  std::uint64_t part_size = 16ull << 20;            // >= 5 MiB (S3's minimum for all but the last)
  ObjectLock object_lock;  // retention on every object created (with Content-MD5, as S3 requires)
};

struct ClientCounters {  // read by /metrics
  std::atomic<std::uint64_t> requests{0}, retries{0}, failures{0}, bytes_sent{0}, bytes_received{0};
};

class S3Client {
 public:
  S3Client(ClientOptions options, std::shared_ptr<CredentialsProvider> credentials);
  ~S3Client();

  // Creates an object; with if_none_match it never overwrites (412 -> StoreError "AlreadyExists").
  void put_object(const std::string& bucket, const std::string& key, std::string_view body,
                  std::string_view content_type, bool if_none_match);
  // The same from a file, streamed; multipart above options.multipart_threshold (aborted on failure).
  void put_file(const std::string& bucket, const std::string& key, const std::filesystem::path& file,
                std::string_view content_type, bool if_none_match);
  std::string get_object(const std::string& bucket, const std::string& key);
  void get_object_to_file(const std::string& bucket, const std::string& key, const std::filesystem::path& file);
  // ETag (with quotes) and size; StoreError("NoSuchKey") if absent.
  std::pair<std::string, std::uint64_t> head_object(const std::string& bucket, const std::string& key);
  std::vector<storage::ObjectInfo> list_objects(const std::string& bucket, const std::string& prefix);
  void create_bucket(const std::string& bucket);  // tests and first-time setup
  void delete_object(const std::string& bucket, const std::string& key);

  // Until it is lifted (no_deadline), no attempt or backoff sleep starts past `deadline` and each
  // network step ends by it: a call then fails with a retryable StoreError("DeadlineExceeded").
  // For every call of this client from any thread, the one under way included.
  void set_deadline(Deadline deadline);

  const ClientCounters& counters() const { return counters_; }
  const ClientOptions& options() const { return options_; }

  // One signed request with retries (used by the operations above and by multipart.cpp).
  struct Call {
    std::string method;
    std::string bucket;
    std::string key;
    QueryParams query;
    Headers headers;  // extra headers (signed), e.g. If-None-Match, Content-Type
    RequestBody body;
    std::string payload_sha256;                     // of body; computed here when empty
    const std::filesystem::path* to_file = nullptr;  // 2xx reply body streamed here
  };
  struct Result {
    HttpResponse response;
    unsigned attempts = 0;
  };
  // Returns 2xx replies; throws StoreError for the rest (after retries where they can help).
  Result execute(const Call& call);

 private:
  std::unique_ptr<HttpConnection> acquire(const Endpoint& where, bool& reused);
  void release(std::unique_ptr<HttpConnection> conn);
  std::string describe_call(const Call& call) const;
  void put_multipart(const std::string& bucket, const std::string& key, const std::filesystem::path& file,
                     std::uint64_t size, std::string_view content_type, bool if_none_match);
  bool same_object_exists(const std::string& bucket, const std::string& key, const std::string& etag);
  // The Object Lock headers of a create (none when off); Content-MD5 from md5_hex_of_body where given.
  void add_object_lock(Headers& headers, const std::function<std::string()>& md5_hex_of_body) const;

  ClientOptions options_;
  std::shared_ptr<CredentialsProvider> credentials_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  std::mutex mu_;
  std::vector<std::unique_ptr<HttpConnection>> idle_;
  std::mt19937_64 rng_;
  ClientCounters counters_;
  std::shared_ptr<std::atomic<Deadline>> deadline_;  // shared with every connection's Timeouts
};

std::string amz_date_now();  // "20261129T001500Z"

}  // namespace jobtrail::s3
