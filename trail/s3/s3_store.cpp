#include "trail/s3/s3_store.hpp"

#include <spdlog/spdlog.h>

namespace jobtrail::s3 {

using storage::StoreError;

S3Store::S3Store(std::shared_ptr<S3Client> client, std::string bucket, std::string prefix)
    : client_(std::move(client)), bucket_(std::move(bucket)), prefix_(std::move(prefix)) {}

std::string S3Store::url() const {
  std::string p = prefix_;
  if (!p.empty()) p.pop_back();
  return "s3://" + bucket_ + (p.empty() ? "" : "/" + p);
}

void S3Store::put_new(const std::string& key, std::string_view body, std::string_view content_type) {
  client_->put_object(bucket_, prefix_ + key, body, content_type, true);
}

void S3Store::put_new_file(const std::string& key, const std::filesystem::path& file, std::string_view content_type) {
  client_->put_file(bucket_, prefix_ + key, file, content_type, true);
}

std::string S3Store::get(const std::string& key) { return client_->get_object(bucket_, prefix_ + key); }

void S3Store::get_to_file(const std::string& key, const std::filesystem::path& file) {
  // Download next to the target, then rename: a failed download never leaves a partial file.
  std::filesystem::path part = file;
  part += ".part";
  try {
    client_->get_object_to_file(bucket_, prefix_ + key, part);
  } catch (...) {
    std::error_code ec;
    std::filesystem::remove(part, ec);
    throw;
  }
  std::filesystem::rename(part, file);
}

std::vector<storage::ObjectInfo> S3Store::list(const std::string& prefix) {
  auto all = client_->list_objects(bucket_, prefix_ + prefix);
  for (auto& o : all) {
    if (o.key.compare(0, prefix_.size(), prefix_) != 0)
      throw StoreError("InvalidReply", url() + ": listing returned a key outside the prefix: " + o.key);
    o.key.erase(0, prefix_.size());
  }
  return all;
}

ClientOptions client_options(const storage::StoreOptions& o) {
  ClientOptions c;
  try {
    c.endpoint = parse_endpoint(o.endpoint, o.region);
  } catch (const std::invalid_argument& e) {
    throw StoreError("InvalidUrl", e.what());
  }
  c.region = o.region.empty() ? "us-east-1" : o.region;
  c.path_style = o.path_style;
  c.tls.ca_bundle = o.ca_bundle;
  c.tls.insecure_skip_verify = o.insecure_skip_tls_verify;
  c.object_lock = {o.object_lock_mode, o.object_lock_days};
  try {
    check_object_lock(c.object_lock);
  } catch (const std::invalid_argument& e) {
    throw StoreError("InvalidArgument", e.what());
  }
  return c;
}

std::shared_ptr<storage::Store> open_s3_store(const storage::StoreOptions& options) {
  BucketUrl where;
  try {
    where = parse_s3_url(options.url);
  } catch (const std::invalid_argument& e) {
    throw StoreError("InvalidUrl", e.what());
  }
  ClientOptions co = client_options(options);
  if (co.endpoint.tls && co.tls.insecure_skip_verify)
    spdlog::warn("!!! s3: TLS certificate verification is OFF (--insecure-skip-tls-verify): anyone on the path "
                 "to {} can read and alter the archive !!!", co.endpoint.host);
  if (!co.endpoint.tls)
    spdlog::warn("s3: endpoint {} is plain http: traffic is not encrypted", options.endpoint);
  auto creds = default_credentials(co.region, co.tls);
  spdlog::info("s3: {} via {}:{} ({}-style), credentials from {}", options.url, co.endpoint.host, co.endpoint.port,
               co.path_style ? "path" : "virtual-hosted", creds->source());
  if (co.object_lock.on())
    spdlog::info("s3: every object written is locked ({} for {} days from its write)", co.object_lock.mode,
                 co.object_lock.days);
  std::shared_ptr<S3Client> client;
  try {
    client = std::make_shared<S3Client>(co, creds);
  } catch (const std::runtime_error& e) {  // CA bundle
    throw StoreError("TlsError", e.what());
  }
  return std::make_shared<S3Store>(client, where.bucket, where.prefix);
}

}  // namespace jobtrail::s3
