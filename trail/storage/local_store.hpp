#pragma once
// A folder as an object store: file:///DIR or a plain path. Objects are files under the root;
// keys map to relative paths. Creation is atomic and never overwrites: the body is written
// to a temporary file, then hard-linked into place (link(2) fails with EEXIST).
#include <filesystem>

#include "trail/storage/store.hpp"

namespace jobtrail::storage {

class LocalStore : public Store {
 public:
  explicit LocalStore(std::filesystem::path root);  // creates the root folder if needed
  std::string url() const override;
  void put_new(const std::string& key, std::string_view body, std::string_view content_type) override;
  void put_new_file(const std::string& key, const std::filesystem::path& file,
                    std::string_view content_type) override;
  std::string get(const std::string& key) override;
  void get_to_file(const std::string& key, const std::filesystem::path& file) override;
  std::vector<ObjectInfo> list(const std::string& prefix) override;
  std::unique_ptr<std::istream> open_read(const std::string& key) override;

  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path path_of(const std::string& key) const;  // throws StoreError("InvalidKey")
  void publish(const std::filesystem::path& tmp, const std::string& key);
  std::filesystem::path root_;
};

// Rejects keys that could escape the root or alias another key: empty, absolute, "." or ".."
// components, empty components, NUL. Pure, unit-tested.
bool valid_key(std::string_view key);

}  // namespace jobtrail::storage
