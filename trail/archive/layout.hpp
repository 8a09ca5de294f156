#pragma once
// Where an archive's objects live in a store (docs/archive.md "Object layout"): the one place
// that names keys, so writers and readers cannot disagree. Pure, no I/O except
// read_manifest_body and spooled_archive_prefix at the bottom.
//
// Layout 2 (written since the fleet tables):
//   events/dt=YYYY-MM-DD/<namespace>/<pod>/<uid>/events-NNNNNN.jsonl.zst   segments
//   events/dt=YYYY-MM-DD/<namespace>/<pod>/<uid>/_manifest.json             written last
//   summaries/dt=YYYY-MM-DD/<uid>.json                                      one row per job
//   jobs/<owner>/<repo>/<run_id>/<run_attempt>/<job>/<uid>.json             index object
// dt is the job's start date (UTC). Query engines that read a table over events/ or summaries/
// skip names starting with '_' or '.', so the manifest is never read as data.
// Layout 1 (before): pods/<namespace>/<pod>/<uid>/ with manifest.json; still read.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "trail/archive/manifest.hpp"
#include "trail/storage/store.hpp"

namespace jobtrail::archive {

inline constexpr std::string_view events_root = "events/";
inline constexpr std::string_view summaries_root = "summaries/";
inline constexpr std::string_view legacy_manifest_name = "manifest.json";  // layout 1

// The manifest of either layout.
bool is_manifest_name(std::string_view name);

// One path level for a key that a Hive-style table reads: key_component's rules, plus no '=' (an
// engine would take "a=b" for a partition column) and no leading '_' or '.' (an engine would skip
// the whole folder, hiding the job from fleet queries). Both become '-'.
std::string partition_component(std::string_view raw);

// "2026-12-01" from an RFC 3339 time ("2026-12-01T10:00:00.000000000Z"); "1970-01-01" when the
// text does not start with a date (a hostile or missing value must still give a valid partition).
std::string partition_date(std::string_view rfc3339);

// "events/dt=<date>/<ns>/<pod>/<uid>/"
std::string archive_prefix(std::string_view ns, std::string_view pod, std::string_view uid, std::string_view date);
// The folders that hold the archives of pod `ns/pod` (one per pod uid) started on `date` and up to
// `days_after` days later: layout 1's "pods/<ns>/<pod>/" and layout 2's "events/dt=<day>/<ns>/<pod>/"
// for each day. A reader that links two pods (a workflow pod and its runner pod) knows only roughly
// when the other one started.
std::vector<std::string> pod_folders(std::string_view ns, std::string_view pod, std::string_view date, int days_before,
                                     int days_after);
// "summaries/dt=<date>/<name>.json"
std::string summary_key(std::string_view name, std::string_view date);

// The manifest's text, whichever layout wrote it (_manifest.json first, then manifest.json), or
// nullopt when the archive has neither. Store errors other than NoSuchKey are thrown.
std::optional<std::string> read_manifest_body(storage::Store& store, const std::string& prefix);

// The archive prefix an earlier writer recorded in a spool folder's journals for `store_url`,
// or "" when it holds none: a restarted sidecar must continue the same archive even when the
// date changed since it started.
std::string spooled_archive_prefix(const std::filesystem::path& spool_dir, const std::string& store_url);

}  // namespace jobtrail::archive
