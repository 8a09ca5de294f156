// Helpers shared by the commands: the archive arguments and their lookup, time flags.
#include "cli/common.hpp"

#include "cli/errors.hpp"
#include "trail/summary/fields.hpp"

namespace jobtrail::cli {

void add_archive_args(CLI::App* sub, ArchiveArgs& a) {
  sub->add_option("archive", a.where,
                  "Archive: a folder, file:///DIR, s3://BUCKET/PREFIX/pods/NS/POD/UID, an index path "
                  "s3://BUCKET/PREFIX/jobs/OWNER/REPO/RUN[/ATTEMPT[/JOB]], or a store root with --repo/--run");
  sub->add_option("--repo", a.query.repo, "Repository owner/name (with a store root)");
  sub->add_option("--run", a.query.run, "Run id (with --repo)");
  sub->add_option("--attempt", a.query.attempt, "Run attempt (with --repo --run)");
  sub->add_option("--job", a.query.job, "Job id (with --repo --run)");
  storage::add_store_flags(*sub, a.store);
}

void add_key_args(CLI::App* sub, ArchiveArgs& a) {
  sub->add_option("--key", a.keys,
                  "Ed25519 public key (PEM) whose signatures to require; repeatable (keys of before a rotation)")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
}

Located locate(const ArchiveArgs& a) {
  std::string where = a.where.empty() ? a.store.url : a.where;
  if (where.empty()) throw CliError(exit_usage, "name an archive (a folder or URL), or --storage URL with --repo/--run");
  return locate_archive(where, a.query, a.store);
}

std::int64_t parse_when(const std::string& text, const char* flag) {
  std::string t = text;
  if (t.size() == 10) t += "T00:00:00Z";
  auto ns = summary::parse_rfc3339_ns(t);
  if (!ns) throw CliError(exit_usage, std::string(flag) + " wants a UTC date (2026-11-29) or RFC 3339 time, got '" + text + "'");
  return *ns;
}

}  // namespace jobtrail::cli
