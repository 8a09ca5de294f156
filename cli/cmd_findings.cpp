// `jobtrail findings ARCHIVE`: recomputes the findings of a trail with the current rules
// (trail/findings, the engine the sidecar runs live), and with --baseline STORE --previous N
// adds `new-egress` findings: destinations never seen in the previous N archived runs of the
// same repository and workflow (docs/findings.md). Findings recorded in the archive by the
// sidecar are not repeated: the engine ignores `finding` events.
#include <algorithm>
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/common.hpp"
#include "cli/errors.hpp"
#include "trail/archive/manifest.hpp"
#include "trail/events/compact.hpp"
#include "trail/events/types.hpp"
#include "trail/findings/egress.hpp"
#include "trail/findings/engine.hpp"
#include "trail/summary/fields.hpp"
#include "trail/text/terminal_text.hpp"

namespace jobtrail::cli {

int reader_status(const archive::Reader& reader);

struct FindingsOptions {
  bool json = false;
  std::vector<std::string> disabled, allowed_domains;
  std::string baseline;  // store root (s3://BUCKET/PREFIX, a folder) holding jobs/ index objects
  int previous = 10;
};

namespace {

using nlohmann::json;

struct Earlier {
  std::string started_at, archive_prefix;
};

// Earlier runs of the same repository and workflow in the baseline store, newest first.
std::vector<Earlier> earlier_runs(storage::Store& store, const json& identity, const std::string& started_at,
                                  const std::string& own_prefix) {
  const std::string repo = summary::id_text(identity.value("GITHUB_REPOSITORY", identity.value("repository", json())));
  const std::string workflow = findings::workflow_of(identity);
  const std::string run = summary::id_text(identity.value("GITHUB_RUN_ID", identity.value("run_id", json())));
  if (repo.find('/') == std::string::npos || workflow.empty())
    throw CliError(exit_usage, "the archive has no job identity (repository, workflow): nothing to compare with");
  std::vector<Earlier> out;
  for (auto& obj : store.list(query_prefix({repo, "", "", ""}))) {
    if (!obj.key.ends_with(".json")) continue;
    json idx = json::parse(store.get(obj.key), nullptr, false);
    if (!idx.is_object() || !idx.contains("archive_prefix")) continue;
    const json& id = summary::object_field(idx, "job_identity");
    const std::string prefix = summary::str_field(idx, "archive_prefix"), start = summary::str_field(idx, "started_at");
    if (prefix == own_prefix || findings::workflow_of(id) != workflow) continue;
    if (summary::id_text(id.value("GITHUB_RUN_ID", id.value("run_id", json()))) == run) continue;  // other jobs/attempts of this run
    if (!started_at.empty() && !start.empty() && start >= started_at) continue;  // RFC 3339 UTC sorts as text
    out.push_back({start, prefix});
  }
  std::sort(out.begin(), out.end(), [](const Earlier& a, const Earlier& b) { return a.started_at > b.started_at; });
  return out;
}

}  // namespace

int run_findings(const ArchiveArgs& a, const FindingsOptions& o) {
  auto loc = locate(a);
  archive::Reader reader(loc.where);
  findings::Config cfg;
  cfg.disabled = {o.disabled.begin(), o.disabled.end()};
  cfg.allowed_domains = o.allowed_domains;
  std::unique_ptr<findings::Engine> engine;
  try {
    engine = std::make_unique<findings::Engine>(cfg);
  } catch (const std::invalid_argument& e) {
    throw CliError(exit_usage, e.what());
  }
  try {
    events::PodRef pod;
    json identity;
    std::string started_at;
    std::optional<archive::Manifest> manifest;
    try {
      manifest = reader.manifest();
    } catch (const storage::StoreError&) {
      throw;
    } catch (const std::exception& e) {
      std::cerr << "jobtrail: manifest unusable (" << text::terminal_safe(e.what()) << "); reading the segments alone\n";
    }
    if (manifest) {
      const json& p = summary::object_field(manifest->meta, "pod");
      pod = {summary::str_field(p, "namespace"), summary::str_field(p, "name")};
      if (manifest->job_identity.is_object()) identity = manifest->job_identity;
      started_at = manifest->started_at;
    }
    std::size_t shown = 0;
    auto print = [&](const json& f) {
      ++shown;
      if (o.json) std::cout << f.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
      else std::cout << events::format_compact(f, pod) << "\n";
    };
    const bool egress = !o.baseline.empty() && !cfg.disabled.count("new-egress");
    findings::Destinations destinations;
    reader.for_each_event([&](const json& ev) {
      if (summary::event_type(ev) == events::type_name::job_identity && identity.is_null()) {
        auto mismatch = ev.find("mismatch"), job = ev.find("job");
        if ((mismatch == ev.end() || (mismatch->is_boolean() && !mismatch->get<bool>())) && job != ev.end() &&
            job->is_object())
          identity = *job;
      }
      for (auto& f : engine->on_event(ev)) print(f);
      if (egress) destinations.add(ev);
      return true;
    });
    for (auto& f : engine->finish()) print(f);
    if (egress) {
      auto so = a.store;
      so.url = o.baseline;
      auto store = storage::open_store(so);
      auto runs = earlier_runs(*store, identity.is_null() ? json::object() : identity, started_at,
                               manifest ? manifest->archive_prefix : std::string());
      if (runs.size() > static_cast<std::size_t>(o.previous)) runs.resize(static_cast<std::size_t>(o.previous));
      std::set<std::string> before;
      for (auto& r : runs) {
        archive::Reader old(store, r.archive_prefix);
        findings::Destinations d;
        old.for_each_event([&](const json& ev) {
          d.add(ev);
          return true;
        });
        auto k = d.keys();
        before.insert(k.begin(), k.end());
      }
      std::cerr << "jobtrail: compared with " << runs.size() << " earlier run(s) of "
                << text::terminal_safe(findings::workflow_of(identity)) << "\n";
      for (auto& f : findings::new_egress(destinations, before, runs.size()))
        print(findings::to_event(f, json{{"time", json()}}));
    }
    if (!o.json) std::cerr << "jobtrail: " << shown << " finding(s)\n";
    return reader_status(reader);
  } catch (const storage::StoreError& e) {
    throw explain(e, loc.url);
  }
}

void add_findings_command(CLI::App& app, int& status) {
  static ArchiveArgs args;
  static FindingsOptions opts;
  auto* sub = app.add_subcommand("findings", "Recompute the findings of a trail; --baseline adds destinations new to the workflow");
  add_archive_args(sub, args);
  sub->add_flag("--json", opts.json, "Finding events as JSON lines");
  sub->add_option("--disable-finding", opts.disabled, "Switch a rule off by id (repeatable; docs/findings.md)");
  sub->add_option("--allow-domain", opts.allowed_domains, "Allowed domain pattern (github.com, *.github.com; repeatable)");
  sub->add_option("--baseline", opts.baseline, "Store root with the earlier runs (s3://BUCKET/PREFIX or a folder) for new-egress");
  sub->add_option("--previous", opts.previous, "How many earlier runs of the workflow to compare with")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  sub->callback([&status] { status = run_findings(args, opts); });
}

}  // namespace jobtrail::cli
