#pragma once
// Reads an archive from a folder or any Store, streaming: one segment at a time, one line
// at a time (bounded memory whatever the archive's size).
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "trail/archive/manifest.hpp"
#include "trail/storage/store.hpp"

namespace jobtrail::archive {

struct ArchiveLocation {
  std::shared_ptr<storage::Store> store;
  std::string prefix;  // "" or ending in '/'
};

// A folder, file:///DIR or s3://BUCKET/PATH naming one archive (the folder of its manifest).
// The store is opened at that place, so the archive prefix is "". `options.url` is ignored.
ArchiveLocation open_archive(const std::string& where, storage::StoreOptions options = {});

// Lines nested deeper than this are not events of any schema version: refused before parsing,
// so no reader (or dump of what it kept) recurses as deep as the job's pod wants.
inline constexpr std::size_t max_event_depth = 64;
// One archive line as an event: nullopt when it is not JSON or is nested deeper than
// max_event_depth. Pure; the only way the CLI turns archive bytes into JSON.
std::optional<nlohmann::json> parse_event_line(std::string_view line);

class Reader {
 public:
  Reader(std::shared_ptr<storage::Store> store, std::string archive_prefix);
  explicit Reader(ArchiveLocation where) : Reader(std::move(where.store), std::move(where.prefix)) {}

  // The manifest, or nullopt when there is none (an archive cut short). Throws
  // std::runtime_error when it exists but is not a valid manifest.
  const std::optional<Manifest>& manifest();
  // Segment names in trail order: the manifest's, else what the store lists.
  std::vector<std::string> segment_names();

  // Streams every event line (no '\n') in order; `fn` returns false to stop early.
  // A segment that is missing or damaged is skipped after its readable lines, and named in
  // problems() (also logged): reading goes on, nothing is dropped silently.
  void for_each_line(const std::function<bool(std::string_view line)>& fn);
  // Lines that are no event (parse_event_line), and events `fn` could not handle (it threw
  // anything but a StoreError), are skipped and counted in problems(): one bad line never ends
  // the reading of an archive the job's pod wrote.
  void for_each_event(const std::function<bool(const nlohmann::json& event)>& fn);
  const std::vector<std::string>& problems() const { return problems_; }

  storage::Store& store() { return *store_; }
  const std::string& prefix() const { return prefix_; }

 private:
  std::shared_ptr<storage::Store> store_;
  std::string prefix_;
  bool manifest_loaded_ = false;
  std::optional<Manifest> manifest_;
  std::vector<std::string> problems_;
  std::uint64_t bad_lines_ = 0, unhandled_events_ = 0;
  std::string first_unhandled_;
};

}  // namespace jobtrail::archive
