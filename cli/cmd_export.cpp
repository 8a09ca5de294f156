// `jobtrail export`: the trail as JSON Lines in a SIEM's schema (OCSF or ECS), streamed: one
// segment line at a time in, one record at a time out (trail/export/ holds the mappings).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "cli/common.hpp"
#include "cli/errors.hpp"
#include "trail/export/exporter.hpp"
#include "trail/text/terminal_text.hpp"

namespace jobtrail::cli {

int reader_status(const archive::Reader& reader);

namespace {

struct ExportOptions {
  exporting::Format format = exporting::Format::ocsf;
  std::string output;  // "" or "-": stdout
};

// The archive's id when the manifest has none: the last component of where it is.
std::string fallback_archive_id(const std::string& url) {
  std::string s = url;
  while (!s.empty() && s.back() == '/') s.pop_back();
  const auto slash = s.rfind('/');
  return slash == std::string::npos ? s : s.substr(slash + 1);
}

int run_export(const ArchiveArgs& a, const ExportOptions& o) {
  auto loc = locate(a);
  archive::Reader reader(loc.where);
  std::ofstream file;
  if (!o.output.empty() && o.output != "-") {
    file.open(o.output, std::ios::binary | std::ios::trunc);
    if (!file) throw CliError(exit_usage, "cannot write " + o.output);
  }
  std::ostream& out = file.is_open() ? static_cast<std::ostream&>(file) : std::cout;
  try {
    const archive::Manifest* manifest = nullptr;
    try {
      if (auto& m = reader.manifest()) manifest = &*m;
    } catch (const storage::StoreError&) {
      throw;
    } catch (const std::exception& e) {
      std::cerr << "jobtrail: manifest unusable (" << text::terminal_safe(e.what()) << "); exporting the segments alone\n";
    }
    exporting::Exporter x(o.format, exporting::job_context(manifest, fallback_archive_id(loc.url)));
    // A progress line on a terminal, redrawn once a second: a million events take seconds.
    const bool progress = ::isatty(2);
    auto last = std::chrono::steady_clock::now();
    std::string lines;
    std::ios::sync_with_stdio(false);
    reader.for_each_event([&](const nlohmann::json& ev) {
      x.add(ev, lines);
      if (lines.size() >= (1 << 16)) {
        out << lines;
        lines.clear();
      }
      if (progress && (x.tally().events & 4095) == 0) {
        const auto now = std::chrono::steady_clock::now();
        if (now - last >= std::chrono::seconds(1)) {
          std::fprintf(stderr, "\r%llu events, %llu records ", static_cast<unsigned long long>(x.tally().events),
                       static_cast<unsigned long long>(x.tally().records));
          last = now;
        }
      }
      return static_cast<bool>(out);  // stop on a closed pipe (| head) or a full disk
    });
    out << lines;
    out.flush();
    if (progress) std::fputc('\r', stderr);
    std::cerr << "jobtrail: " << text::terminal_safe(exporting::tally_text(x.tally(), o.format)) << "\n";
    if (file.is_open() && !file) throw CliError(exit_internal, "writing " + o.output + " failed");
    return reader_status(reader);
  } catch (const storage::StoreError& e) {
    throw explain(e, loc.url);
  }
}

}  // namespace

void add_export_command(CLI::App& app, int& status) {
  static ArchiveArgs args;
  static ExportOptions opts;
  auto* sub = app.add_subcommand("export", "The trail as JSON Lines in a SIEM schema: OCSF 1.3.0 or ECS 8.11");
  add_archive_args(sub, args);
  static std::string format;
  sub->add_option("--format", format, "ocsf or ecs")->required()->check(CLI::IsMember({"ocsf", "ecs"}))->option_text("ocsf|ecs");
  sub->add_option("-o,--output", opts.output, "File to write (default: stdout)");
  sub->callback([&status] {
    opts.format = format == "ecs" ? exporting::Format::ecs : exporting::Format::ocsf;
    status = run_export(args, opts);
  });
}

}  // namespace jobtrail::cli
