#pragma once
// Finds the one archive a command line names: an archive folder or URL (the folder of its
// manifest), an index path under jobs/ (s3://B/P/jobs/owner/repo/run[/attempt[/job]]), or a
// store root plus --repo/--run/--attempt/--job. Errors say what exists nearby.
#include <string>

#include <nlohmann/json.hpp>

#include "trail/archive/reader.hpp"
#include "trail/storage/store.hpp"

namespace jobtrail::cli {

struct JobQuery {
  std::string repo;  // owner/name
  std::string run, attempt, job;
  bool any() const { return !repo.empty() || !run.empty() || !attempt.empty() || !job.empty(); }
};

struct Located {
  archive::ArchiveLocation where;  // store + archive prefix
  std::string url;                 // for messages: where the archive is
  nlohmann::json index;            // the index object that led here, or null
};

// Throws CliError (not found / usage / storage) with a message a user can act on.
Located locate_archive(const std::string& url, const JobQuery& query, const storage::StoreOptions& options);

// Throws CliError(not found) when `url` is a plain path or file:// URL of no existing folder.
void require_local_folder(const std::string& url);

// Splits "s3://b/p/jobs/o/r/1" into {"s3://b/p", "jobs/o/r/1"}; {url, ""} when there is no jobs/ part.
std::pair<std::string, std::string> split_jobs_path(const std::string& url);

// The index prefix "jobs/<owner>/<repo>/[<run>/[<attempt>/[<job>/]]]" of a query.
std::string query_prefix(const JobQuery& q);

}  // namespace jobtrail::cli
