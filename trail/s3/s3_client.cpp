#include "trail/s3/s3_client.hpp"

#include <spdlog/spdlog.h>

#include <ctime>
#include <thread>

#include "trail/s3/crypto.hpp"
#include "trail/s3/s3_xml.hpp"

namespace jobtrail::s3 {

using storage::StoreError;

std::string amz_date_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

S3Client::S3Client(ClientOptions options, std::shared_ptr<CredentialsProvider> credentials)
    : options_(std::move(options)), credentials_(std::move(credentials)), rng_(std::random_device{}()) {
  if (options_.endpoint.tls) tls_ = make_tls_context(options_.tls);
  if (options_.part_size < (5ull << 20)) options_.part_size = 5ull << 20;
  if (options_.multipart_threshold < options_.part_size) options_.multipart_threshold = options_.part_size;
  if (options_.max_attempts == 0) options_.max_attempts = 1;
  deadline_ = std::make_shared<std::atomic<Deadline>>(no_deadline);
  options_.timeouts.deadline = deadline_;
}

void S3Client::set_deadline(Deadline deadline) { deadline_->store(deadline); }

S3Client::~S3Client() = default;

std::unique_ptr<HttpConnection> S3Client::acquire(const Endpoint& where, bool& reused) {
  reused = true;
  {
    std::lock_guard lock(mu_);
    for (auto it = idle_.begin(); it != idle_.end(); ++it) {
      const Endpoint& e = (*it)->endpoint();
      if (e.host == where.host && e.port == where.port && e.tls == where.tls) {
        auto conn = std::move(*it);
        idle_.erase(it);
        return conn;
      }
    }
  }
  reused = false;
  return std::make_unique<HttpConnection>(where, tls_, options_.timeouts);
}

void S3Client::release(std::unique_ptr<HttpConnection> conn) {
  if (!conn->reusable()) return;
  std::lock_guard lock(mu_);
  if (idle_.size() < 16) idle_.push_back(std::move(conn));
}

std::string S3Client::describe_call(const Call& c) const {
  return "s3 " + c.method + " s3://" + c.bucket + "/" + c.key;
}

S3Client::Result S3Client::execute(const Call& call) {
  const Addressing where = address(options_.endpoint, call.bucket, call.key, options_.path_style);
  std::string payload_hash = call.payload_sha256;
  if (payload_hash.empty())
    payload_hash = call.body.file.empty()
                       ? sha256_hex(call.body.memory)
                       : digests_of_file_range(call.body.file, call.body.offset, call.body.length).sha256_hex;
  std::string target = uri_encode(where.path, true);
  if (!call.query.empty()) target += "?" + canonical_query(call.query);

  Result result;
  bool stale_retry_left = true;
  std::string last_error;  // of the attempt before, for the message when the deadline stops retries
  for (unsigned attempt = 0;; ++attempt) {
    if (!retry_fits(std::chrono::steady_clock::now(), std::chrono::milliseconds(0), deadline_->load())) {
      counters_.failures++;
      throw StoreError("DeadlineExceeded",
                       describe_call(call) + ": deadline reached before attempt " + std::to_string(attempt + 1) +
                           (last_error.empty() ? "" : " (last: " + last_error + ")"),
                       true);
    }
    result.attempts = attempt + 1;
    counters_.requests++;
    unsigned status = 0;
    std::string code, what;
    try {
      RequestParts parts{call.method, where.path, call.query, call.headers};
      parts.headers.emplace_back("Host", where.host);
      parts.headers.emplace_back("x-amz-content-sha256", payload_hash);
      SigningParams sp;
      sp.credentials = credentials_->get();
      sp.region = options_.region;
      sp.service = "s3";
      sp.amz_date = amz_date_now();
      sign_headers(parts, payload_hash, sp);
      HttpRequest req{call.method, target, std::move(parts.headers), call.body};
      bool reused = false;
      auto conn = acquire(where.connect, reused);
      HttpResponse res;
      try {
        res = conn->send(req, call.to_file);
      } catch (const TransportError&) {
        // A kept-alive connection the server closed while idle: try once more at once on a new one.
        if (!reused || !stale_retry_left) throw;
        stale_retry_left = false;
        conn = acquire(where.connect, reused);
        res = conn->send(req, call.to_file);
      }
      release(std::move(conn));
      counters_.bytes_sent += call.body.size();
      counters_.bytes_received += res.body.size();
      if (res.status >= 200 && res.status < 300) {
        result.response = std::move(res);
        return result;
      }
      status = res.status;
      ErrorReply e = parse_error_reply(res.body);
      code = e.code.empty() ? code_for_status(status) : e.code;
      what = describe(status, e);
      if (code == "ExpiredToken" || code == "InvalidToken") credentials_->invalidate();
    } catch (const TlsVerifyError& e) {
      counters_.failures++;
      throw StoreError("TlsError", describe_call(call) + ": " + e.what(), false);
    } catch (const TransportError& e) {
      code = "NetworkError";
      what = e.what();
    } catch (const StoreError& e) {  // from the credentials provider
      status = 0;
      code = e.code();
      what = e.what();
      if (!e.retryable()) {
        counters_.failures++;
        throw;
      }
    } catch (const std::runtime_error& e) {  // local: unreadable file, reply too big for memory
      counters_.failures++;
      throw StoreError("IOError", describe_call(call) + ": " + e.what(), false);
    }
    const bool again = retryable(status, code);
    if (!again || attempt + 1 >= options_.max_attempts) {
      counters_.failures++;
      std::string local = code == "PreconditionFailed" ? "AlreadyExists" : code;
      std::string suffix = again ? " (gave up after " + std::to_string(attempt + 1) + " attempts)" : "";
      throw StoreError(local, describe_call(call) + ": " + what + suffix, again);
    }
    auto delay = [&] {
      std::lock_guard lock(mu_);
      return options_.backoff.delay(attempt, rng_);
    }();
    if (!retry_fits(std::chrono::steady_clock::now(), delay, deadline_->load())) {
      counters_.failures++;
      throw StoreError("DeadlineExceeded",
                       describe_call(call) + ": " + what + " (no retry: the deadline comes before it)", true);
    }
    last_error = what;
    counters_.retries++;
    spdlog::warn("{}: {}; retry {}/{} in {} ms", describe_call(call), what, attempt + 1,
                 options_.max_attempts - 1, delay.count());
    std::this_thread::sleep_for(delay);
  }
}

void S3Client::add_object_lock(Headers& headers, const std::function<std::string()>& md5_hex_of_body) const {
  if (!options_.object_lock.on()) return;
  for (auto& h : object_lock_headers(options_.object_lock, std::time(nullptr))) headers.push_back(std::move(h));
  if (md5_hex_of_body) headers.emplace_back("Content-MD5", content_md5(md5_hex_of_body()));
}

bool S3Client::same_object_exists(const std::string& bucket, const std::string& key, const std::string& etag) {
  try {
    auto [have, size] = head_object(bucket, key);
    (void)size;
    return have == "\"" + etag + "\"" || have == etag;
  } catch (const StoreError&) {
    return false;
  }
}

void S3Client::put_object(const std::string& bucket, const std::string& key, std::string_view body,
                          std::string_view content_type, bool if_none_match) {
  Call c{"PUT", bucket, key, {}, {{"Content-Type", std::string(content_type)}}, {}, sha256_hex(body)};
  if (if_none_match) c.headers.emplace_back("If-None-Match", "*");
  add_object_lock(c.headers, [&] { return md5_hex(body); });
  c.body.memory = body;
  try {
    execute(c);
  } catch (const StoreError& e) {
    // A retried create can meet its own earlier attempt (the reply was lost, the object landed):
    // same bytes (ETag = MD5) means it is ours, so the create did succeed exactly once.
    if (e.code() == "AlreadyExists" && if_none_match && same_object_exists(bucket, key, md5_hex(body))) return;
    throw;
  }
}

void S3Client::put_file(const std::string& bucket, const std::string& key, const std::filesystem::path& file,
                        std::string_view content_type, bool if_none_match) {
  std::error_code ec;
  std::uint64_t size = std::filesystem::file_size(file, ec);
  if (ec) throw StoreError("IOError", "cannot upload " + file.string() + ": " + ec.message());
  if (size > options_.multipart_threshold) {
    put_multipart(bucket, key, file, size, content_type, if_none_match);
    return;
  }
  // MD5 only where Object Lock needs Content-MD5, or if a retry meets 412
  RangeDigests d = digests_of_file_range(file, 0, size, options_.object_lock.on());
  Call c{"PUT", bucket, key, {}, {{"Content-Type", std::string(content_type)}}, {}, d.sha256_hex};
  if (if_none_match) c.headers.emplace_back("If-None-Match", "*");
  add_object_lock(c.headers, [&] { return d.md5_hex; });
  c.body.file = file;
  c.body.length = size;
  try {
    execute(c);
  } catch (const StoreError& e) {
    if (e.code() == "AlreadyExists" && if_none_match &&
        same_object_exists(bucket, key, digests_of_file_range(file, 0, size).md5_hex))
      return;
    throw;
  }
}

std::string S3Client::get_object(const std::string& bucket, const std::string& key) {
  return execute(Call{"GET", bucket, key, {}, {}, {}, {}}).response.body;
}

void S3Client::get_object_to_file(const std::string& bucket, const std::string& key,
                                  const std::filesystem::path& file) {
  Call c{"GET", bucket, key, {}, {}, {}, {}};
  c.to_file = &file;
  execute(c);
}

std::pair<std::string, std::uint64_t> S3Client::head_object(const std::string& bucket, const std::string& key) {
  auto r = execute(Call{"HEAD", bucket, key, {}, {}, {}, {}});
  std::string len = r.response.header("content-length");
  return {r.response.header("etag"), len.empty() ? 0 : std::stoull(len)};
}

std::vector<storage::ObjectInfo> S3Client::list_objects(const std::string& bucket, const std::string& prefix) {
  std::vector<storage::ObjectInfo> out;
  std::string token;
  for (;;) {
    Call c{"GET", bucket, "", {{"list-type", "2"}, {"prefix", prefix}}, {}, {}, {}};
    if (!token.empty()) c.query.emplace_back("continuation-token", token);
    auto r = execute(c);
    ListPage page;
    try {
      page = parse_list_objects_v2(r.response.body);
    } catch (const std::exception& e) {
      throw StoreError("InvalidReply", describe_call(c) + ": " + e.what(), true);
    }
    for (auto& o : page.objects) out.push_back(std::move(o));
    if (!page.truncated) return out;
    token = page.next_token;
  }
}

void S3Client::create_bucket(const std::string& bucket) { execute(Call{"PUT", bucket, "", {}, {}, {}, {}}); }

void S3Client::delete_object(const std::string& bucket, const std::string& key) {
  execute(Call{"DELETE", bucket, key, {}, {}, {}, {}});
}

}  // namespace jobtrail::s3
