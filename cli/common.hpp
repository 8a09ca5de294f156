#pragma once
// Arguments shared by the commands that read one archive, and small helpers.
#include <CLI/CLI.hpp>

#include <optional>
#include <string>

#include "cli/locate.hpp"
#include "trail/events/stream_scope.hpp"

namespace jobtrail::cli {

struct ArchiveArgs {
  std::string where;
  JobQuery query;
  storage::StoreOptions store;
  std::vector<std::string> keys;  // --key PUB.pem (verify, fetch): trusted public keys
};
// --key on the commands that check signatures (verify, fetch).
void add_key_args(CLI::App* sub, ArchiveArgs& a);

void add_archive_args(CLI::App* sub, ArchiveArgs& a);
Located locate(const ArchiveArgs& a);

// "2026-11-29" or RFC 3339 -> ns since the epoch; throws CliError(usage).
std::int64_t parse_when(const std::string& text, const char* flag);

int run_ls(const std::string& url, const JobQuery& q, const std::string& since, bool json, const storage::StoreOptions& so);
int run_verify(const ArchiveArgs& a, bool json);
int run_fetch(const ArchiveArgs& a, const std::string& out_dir, int jobs);
int run_attest(const ArchiveArgs& a, const std::string& key_file, const std::string& out_path);
struct ShowOptions {
  bool json = false, tree = false;
  std::vector<std::string> types, binaries, exec_ids;
  std::vector<std::int64_t> pids;
  std::string since, until, grep;
  std::optional<events::StreamScope> stream;  // unset: story for compact lines, all for --json or --type
};
int run_show(const ArchiveArgs& a, const ShowOptions& o);
int run_summary(const ArchiveArgs& a, bool json);
int run_report(const ArchiveArgs& a, const std::string& out_path);

}  // namespace jobtrail::cli
