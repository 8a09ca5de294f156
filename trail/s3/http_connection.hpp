#pragma once
// One HTTP/1.1 connection (plain or TLS) used synchronously by one worker at a time and kept
// alive between requests. Every step (resolve, connect, handshake, write, read) has a timeout:
// the async Beast operations run on the connection's own io_context, which the caller drives.
// Bodies stream from a file range or memory; replies go to memory (bounded) or to a file.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "trail/s3/endpoint.hpp"
#include "trail/s3/errors.hpp"
#include "trail/s3/sigv4.hpp"
#include "trail/storage/store.hpp"

namespace boost::asio::ssl {
class context;
}

namespace jobtrail::s3 {

struct TlsOptions {
  std::string ca_bundle;             // PEM file; empty: the system store
  bool insecure_skip_verify = false;  // the caller logs the loud warning
};
// Throws std::runtime_error with a clear line if the CA bundle cannot be loaded.
std::shared_ptr<boost::asio::ssl::context> make_tls_context(const TlsOptions&);

struct Timeouts {
  std::chrono::milliseconds connect{10'000};
  std::chrono::milliseconds io{30'000};  // per read/write step, not for the whole transfer
  // When set, every step also ends by this deadline. Read at each step, so a deadline set while
  // a request is under way bounds the steps after it (S3Client::set_deadline).
  std::shared_ptr<const std::atomic<Deadline>> deadline;
};

struct RequestBody {
  std::string_view memory;              // used when file is empty
  std::filesystem::path file;           // stream [offset, offset+length) of this file
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  std::uint64_t size() const { return file.empty() ? memory.size() : length; }
};

struct HttpRequest {
  std::string method;
  std::string target;   // encoded path + "?" + encoded query
  Headers headers;      // sent as given (Host included); Content-Length is added here
  RequestBody body;
};

struct HttpResponse {
  unsigned status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;                            // empty when streamed to a file
  std::string header(const std::string& lower_name) const;
};

// The connection failed (refused, reset, timed out, TLS). Always worth a retry on a new connection.
class TransportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The server's certificate was refused (unknown CA, wrong host name, expired). Retrying cannot help.
class TlsVerifyError : public TransportError {
 public:
  using TransportError::TransportError;
};

class HttpConnection {
 public:
  HttpConnection(Endpoint endpoint, std::shared_ptr<boost::asio::ssl::context> tls, Timeouts timeouts);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // Sends one request. A 2xx reply body goes to `to_file` when given, else to memory (at most
  // memory_limit bytes). Throws TransportError; after it the connection is not reusable.
  HttpResponse send(const HttpRequest& request, const std::filesystem::path* to_file = nullptr,
                    std::uint64_t memory_limit = storage::max_get_bytes);
  bool reusable() const;
  const Endpoint& endpoint() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace jobtrail::s3
