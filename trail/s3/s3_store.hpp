#pragma once
// storage::Store on S3: keys live under s3://BUCKET/PREFIX/, objects are created with
// If-None-Match: * (never overwritten), files stream from disk (multipart when large).
#include <memory>

#include "trail/s3/s3_client.hpp"
#include "trail/storage/store.hpp"

namespace jobtrail::s3 {

class S3Store : public storage::Store {
 public:
  S3Store(std::shared_ptr<S3Client> client, std::string bucket, std::string prefix);
  std::string url() const override;
  void put_new(const std::string& key, std::string_view body, std::string_view content_type) override;
  void put_new_file(const std::string& key, const std::filesystem::path& file,
                    std::string_view content_type) override;
  std::string get(const std::string& key) override;
  void get_to_file(const std::string& key, const std::filesystem::path& file) override;
  std::vector<storage::ObjectInfo> list(const std::string& prefix) override;  // keys relative to our prefix
  void set_deadline(std::chrono::steady_clock::time_point deadline) override { client_->set_deadline(deadline); }

  S3Client& client() { return *client_; }

 private:
  std::shared_ptr<S3Client> client_;
  std::string bucket_, prefix_;
};

// ClientOptions from the shared --storage/--s3-* flags (pure, unit-tested).
ClientOptions client_options(const storage::StoreOptions& o);

// Called by storage::open_store for s3:// URLs. Logs where the credentials came from and,
// loudly, when TLS verification is off. Throws StoreError for bad URLs or missing credentials.
std::shared_ptr<storage::Store> open_s3_store(const storage::StoreOptions& options);

}  // namespace jobtrail::s3
