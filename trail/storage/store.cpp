#include "trail/storage/store.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <fstream>
#include <spdlog/spdlog.h>

#include "trail/storage/local_store.hpp"

#include "trail/s3/s3_store.hpp"

namespace jobtrail::storage {

namespace {
// An ifstream over a downloaded temporary copy, removed when the stream goes away.
class TempFileStream : public std::ifstream {
 public:
  explicit TempFileStream(std::filesystem::path p) : std::ifstream(p, std::ios::binary), path_(std::move(p)) {}
  ~TempFileStream() override {
    close();
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }

 private:
  std::filesystem::path path_;
};
}  // namespace

std::unique_ptr<std::istream> Store::open_read(const std::string& key) {
  static std::atomic<unsigned> counter{0};
  auto tmp = std::filesystem::temp_directory_path() /
             ("jobtrail-get-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  try {
    get_to_file(key, tmp);
  } catch (...) {
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    throw;
  }
  auto in = std::make_unique<TempFileStream>(tmp);
  if (!*in) throw StoreError("IOError", "cannot reopen downloaded copy of " + key);
  return in;
}

std::shared_ptr<Store> open_store(const StoreOptions& options) {
  const std::string& url = options.url;
  if (url.empty()) throw StoreError("InvalidUrl", "no storage given (use s3://BUCKET/PREFIX, file:///DIR or a folder)");
  if (url.starts_with("s3://")) {
    return jobtrail::s3::open_s3_store(options);
  }
  if (!options.object_lock_mode.empty())  // a folder cannot keep its own root from deleting
    throw StoreError("InvalidArgument", "Object Lock needs an s3:// store, not " + url);
  if (url.starts_with("file://")) {
    std::string rest = url.substr(7);
    if (rest.starts_with("localhost/")) rest = rest.substr(9);
    if (rest.empty()) throw StoreError("InvalidUrl", "file:// URL without a folder: " + url);
    return std::make_shared<LocalStore>(rest);
  }
  if (auto colon = url.find("://"); colon != std::string::npos)
    throw StoreError("InvalidUrl", "unsupported storage scheme '" + url.substr(0, colon) +
                                       "://' (use s3://BUCKET/PREFIX, file:///DIR or a folder)");
  return std::make_shared<LocalStore>(url);
}

void add_store_flags(CLI::App& app, StoreOptions& o) {
  app.add_option("--storage", o.url, "Where archives live: s3://BUCKET/PREFIX, file:///DIR or a folder");
  app.add_option("--s3-endpoint", o.endpoint, "S3 endpoint URL, e.g. http://127.0.0.1:7480 (default: AWS)");
  app.add_option("--s3-region", o.region, "S3 region (signing)")->capture_default_str();
  app.add_flag("--s3-path-style", o.path_style, "Path-style addressing (http://host/bucket/key)");
  app.add_option("--ca-bundle", o.ca_bundle, "PEM file of CAs to trust instead of the system store");
  app.add_flag("--insecure-skip-tls-verify", o.insecure_skip_tls_verify,
               "DANGEROUS: do not verify the server's TLS certificate");
}

}  // namespace jobtrail::storage
