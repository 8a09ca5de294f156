// jobtrail: find, download, verify, read and summarise job audit trails (docs/cli.md).
#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <iostream>

#include "cli/common.hpp"
#include "cli/errors.hpp"
#include "trail/text/terminal_text.hpp"

namespace jobtrail::cli {
void add_findings_command(CLI::App& app, int& status);
void add_export_command(CLI::App& app, int& status);
}

using namespace jobtrail::cli;

int main(int argc, char** argv) {
  CLI::App app{"jobtrail: find, download, verify and read the audit trails of CI jobs"};
  app.require_subcommand(1);
  app.set_version_flag("--version", JOBTRAIL_VERSION);
  std::string log_level = "warn";
  // Logs go to stderr: stdout carries the output scripts parse (--json, show).
  spdlog::set_default_logger(spdlog::stderr_color_mt("jobtrail"));
  spdlog::set_level(spdlog::level::warn);
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error")
      ->capture_default_str()
      ->each([](const std::string& l) { spdlog::set_level(spdlog::level::from_str(l)); });
  int status = exit_ok;

  std::string ls_url, ls_since;
  JobQuery ls_q;
  bool ls_json = false;
  jobtrail::storage::StoreOptions ls_store;
  auto* ls = app.add_subcommand("ls", "List the archived jobs of a store (reads the index objects under jobs/)");
  ls->add_option("store", ls_url, "Store root: s3://BUCKET/PREFIX, file:///DIR or a folder");
  ls->add_option("--repo", ls_q.repo, "Only this repository (owner/name)");
  ls->add_option("--run", ls_q.run, "Only this run id (with --repo)");
  ls->add_option("--since", ls_since, "Only jobs started at or after this UTC date/time");
  ls->add_flag("--json", ls_json, "One JSON object per job");
  jobtrail::storage::add_store_flags(*ls, ls_store);
  ls->callback([&] {
    status = run_ls(ls_url.empty() ? ls_store.url : ls_url, ls_q, ls_since, ls_json, ls_store);
  });

  ArchiveArgs fetch_a;
  std::string fetch_out;
  int fetch_jobs = 8;
  auto* fetch = app.add_subcommand("fetch", "Download an archive (segments in parallel) and verify it");
  add_archive_args(fetch, fetch_a);
  add_key_args(fetch, fetch_a);
  fetch->add_option("-o,--output", fetch_out, "Folder to download into (created; must be empty)")->required();
  fetch->add_option("-j,--jobs", fetch_jobs, "Parallel downloads")->capture_default_str()->check(CLI::Range(1, 64));
  fetch->callback([&] { status = run_fetch(fetch_a, fetch_out, fetch_jobs); });

  ArchiveArgs verify_a;
  bool verify_json = false;
  auto* verify = app.add_subcommand("verify", "Check sizes, SHA-256s, the hash chain, seq and completeness");
  add_archive_args(verify, verify_a);
  add_key_args(verify, verify_a);
  verify->add_flag("--json", verify_json, "The report as JSON");
  verify->callback([&] { status = run_verify(verify_a, verify_json); });

  ArchiveArgs attest_a;
  std::string attest_key, attest_out;
  auto* attest = app.add_subcommand(
      "attest", "Write an in-toto runtime-trace attestation of an archive (DSSE, Ed25519), after verifying it");
  add_archive_args(attest, attest_a);
  attest->add_option("--key", attest_key, "Ed25519 private key (PEM) that signs the attestation; its public half "
                                          "checks the archive's signatures")
      ->required();
  attest->add_option("-o,--output", attest_out, "File to write (default: stdout)");
  attest->callback([&] { status = run_attest(attest_a, attest_key, attest_out); });

  ArchiveArgs show_a;
  ShowOptions show_o;
  auto* show = app.add_subcommand("show", "Print the events (compact live-stream lines, or --json), filtered");
  add_archive_args(show, show_a);
  show->add_flag("--json", show_o.json, "JSON lines, as stored");
  show->add_flag("--tree", show_o.tree, "The process tree with argv and exit codes, indented");
  show->add_option("--type", show_o.types, "Event type or family (process_exec, net, ...); repeatable, comma list")->delimiter(',')->allow_extra_args(false);
  show->add_option("--binary", show_o.binaries, "Binary path or base name; repeatable")->delimiter(',')->allow_extra_args(false);
  show->add_option("--pid", show_o.pids, "Process id; repeatable")->delimiter(',')->allow_extra_args(false);
  show->add_option("--exec-id", show_o.exec_ids, "Exec id, with all its descendants; repeatable")->delimiter(',')->allow_extra_args(false);
  show->add_option("--since", show_o.since, "Events at or after this UTC time (RFC 3339 or date)");
  show->add_option("--until", show_o.until, "Events before this UTC time (RFC 3339 or date)");
  show->add_option("--grep", show_o.grep, "Events whose JSON line contains this text");
  show->add_option("--stream", show_o.stream,
                   "story (default for the compact lines: processes, network, DNS, privilege, findings) or "
                   "files/all (plus file events; the default for --json and --type)")
      ->transform(CLI::CheckedTransformer(jobtrail::events::stream_scope_names()))
      ->option_text("story|files|all");
  show->callback([&] { status = run_show(show_a, show_o); });

  ArchiveArgs sum_a;
  bool sum_json = false;
  auto* sum = app.add_subcommand("summary", "The job at a glance: identity, counts, binaries, network, files, findings, losses");
  add_archive_args(sum, sum_a);
  sum->add_flag("--json", sum_json, "The summary as JSON");
  sum->callback([&] { status = run_summary(sum_a, sum_json); });

  ArchiveArgs rep_a;
  std::string rep_out;
  auto* rep = app.add_subcommand("report", "One self-contained HTML page: summary, process tree, timeline, network, findings");
  add_archive_args(rep, rep_a);
  rep->add_option("-o,--output", rep_out, "The HTML file to write")->required();
  rep->callback([&] { status = run_report(rep_a, rep_out); });

  jobtrail::cli::add_findings_command(app, status);  // cli/cmd_findings.cpp (docs/findings.md)
  jobtrail::cli::add_export_command(app, status);    // cli/cmd_export.cpp (docs/cli.md)

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? exit_ok : exit_usage;
  } catch (const CliError& e) {  // messages quote keys, fields and parser text of the archive
    std::cerr << "jobtrail: " << jobtrail::text::terminal_safe(e.what()) << "\n";
    return e.status();
  } catch (const jobtrail::storage::StoreError& e) {
    auto ce = explain(e, "the store");
    std::cerr << "jobtrail: " << jobtrail::text::terminal_safe(ce.what()) << "\n";
    return ce.status();
  } catch (const std::exception& e) {
    std::cerr << "jobtrail: " << jobtrail::text::terminal_safe(e.what()) << "\n";
    return exit_internal;
  }
  return status;
}
