// `jobtrail ls`: one line per archived job, from the index objects under jobs/ and each manifest.
#include <cstdio>
#include <iostream>
#include <optional>
#include <vector>

#include "cli/common.hpp"
#include "cli/errors.hpp"
#include "cli/runner_link.hpp"
#include "trail/archive/layout.hpp"
#include "trail/archive/manifest.hpp"
#include "trail/summary/fields.hpp"
#include "trail/text/terminal_text.hpp"

namespace jobtrail::cli {

using nlohmann::json;

namespace {
std::string id_value(const json& id, const char* ours, const char* github) {
  auto a = summary::id_text(id.value(ours, json()));
  return a.empty() ? summary::id_text(id.value(github, json())) : a;
}

struct Row {
  std::string prefix, start, status = "no manifest (running or cut short)", pod_text;
  double duration = -1;
  std::uint64_t events = 0, lost = 0;
  std::optional<archive::Manifest> manifest;
};

Row read_row(storage::Store& store, const std::string& prefix, const std::string& indexed_start) {
  Row r;
  r.prefix = prefix;
  r.start = indexed_start;
  try {
    const auto body = archive::read_manifest_body(store, prefix);
    if (!body) return r;
    auto m = archive::manifest_from_json(json::parse(*body));
    r.start = m.started_at.empty() ? r.start : m.started_at;
    auto a = summary::parse_rfc3339_ns(m.started_at), b = summary::parse_rfc3339_ns(m.ended_at);
    if (a && b) r.duration = (static_cast<double>(*b) - static_cast<double>(*a)) / 1e9;
    r.events = m.events;
    for (auto& [t, n] : m.lost) r.lost += n;
    r.status = m.complete ? "complete" : "incomplete: " + m.incomplete_reason;
    r.manifest = std::move(m);
  } catch (const storage::StoreError&) {
    throw;
  } catch (const std::exception& e) {
    r.status = std::string("bad manifest: ") + e.what();
  }
  return r;
}

// The finished archives of the runner pod's workflow pod (actions/runner-container-hooks names it
// <runner pod>-workflow) that link back to this runner pod archive.
std::vector<Row> workflow_rows(storage::Store& store, const std::string& ns, const std::string& runner_pod,
                               const std::string& runner_prefix, const std::string& runner_start) {
  std::vector<Row> out;
  // The workflow pod starts after its runner pod: on the runner pod's start date or the day after.
  for (const auto& folder : archive::pod_folders(ns, runner_pod + "-workflow", runner_start, 0, 1)) {
    for (auto& o : store.list(folder)) {
      const auto slash = o.key.rfind('/');
      if (slash == std::string::npos || !archive::is_manifest_name(std::string_view(o.key).substr(slash + 1))) continue;
      if (out.size() >= 16) break;
      Row r = read_row(store, o.key.substr(0, slash + 1), "");
      if (!r.manifest) continue;
      auto link = resolve_runner_link(store, *r.manifest);
      if (!link || link->archive_prefix != runner_prefix) continue;
      r.pod_text = ns + "/" + runner_pod + "-workflow (workflow pod)";
      out.push_back(std::move(r));
    }
  }
  return out;
}
}  // namespace

int run_ls(const std::string& url, const JobQuery& q, const std::string& since, bool as_json,
           const storage::StoreOptions& so) {
  if (url.empty()) throw CliError(exit_usage, "name a store: jobtrail ls s3://BUCKET/PREFIX (or a folder)");
  if (!q.run.empty() && q.repo.empty()) throw CliError(exit_usage, "--run needs --repo");
  std::optional<std::int64_t> since_ns;
  if (!since.empty()) since_ns = parse_when(since, "--since");
  auto o = so;
  o.url = url;
  require_local_folder(url);
  try {
    auto store = storage::open_store(o);
    std::string prefix = q.repo.empty() ? "jobs/" : query_prefix(q);
    if (!q.repo.empty() && q.repo.find('/') == std::string::npos)
      throw CliError(exit_usage, "--repo wants owner/name, got '" + q.repo + "'");
    std::size_t shown = 0;
    if (!as_json)
      std::printf("%-28s %-12s %-3s %-18s %-40s %-20s %9s %9s %6s %s\n", "REPOSITORY", "RUN", "ATT", "JOB", "POD",
                  "START", "DURATION", "EVENTS", "LOST", "STATUS");
    auto print_row = [&](const json& id, const std::string& pod_text, const Row& r, const std::string& index_url) {
      if (as_json) {
        json line = {{"repository", id_value(id, "repository", "GITHUB_REPOSITORY")},
                     {"run_id", id_value(id, "run_id", "GITHUB_RUN_ID")},
                     {"run_attempt", id_value(id, "run_attempt", "GITHUB_RUN_ATTEMPT")},
                     {"job", id_value(id, "job", "GITHUB_JOB")}, {"pod", pod_text}, {"start", r.start},
                     {"duration_s", r.duration}, {"events", r.events}, {"lost", r.lost}, {"status", r.status},
                     {"archive", url + "/" + r.prefix}, {"index", index_url}};
        if (index_url.empty()) line["index"] = nullptr;  // a workflow pod: the job is its runner pod's
        std::cout << line.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
        return;
      }
      // Every column but the numbers comes from objects the job's pod wrote.
      const auto t = [](const std::string& s) { return text::terminal_safe(s); };
      char dur[32] = "-";
      if (r.duration >= 0) std::snprintf(dur, sizeof dur, "%.1fs", r.duration);
      std::printf("%-28s %-12s %-3s %-18s %-40s %-20.20s %9s %9llu %6llu %s\n",
                  t(id_value(id, "repository", "GITHUB_REPOSITORY")).c_str(),
                  t(id_value(id, "run_id", "GITHUB_RUN_ID")).c_str(),
                  t(id_value(id, "run_attempt", "GITHUB_RUN_ATTEMPT")).c_str(),
                  t(id_value(id, "job", "GITHUB_JOB")).c_str(), t(pod_text).c_str(), t(r.start).c_str(), dur,
                  static_cast<unsigned long long>(r.events), static_cast<unsigned long long>(r.lost), t(r.status).c_str());
    };
    for (auto& obj : store->list(prefix)) {
      if (!obj.key.ends_with(".json")) continue;
      json idx = json::parse(store->get(obj.key), nullptr, false);
      if (!idx.is_object() || !idx.contains("archive_prefix")) {
        std::cerr << "jobtrail: " << text::terminal_safe(obj.key) << " is not a jobtrail index object; skipped\n";
        continue;
      }
      const json& id = summary::object_field(idx, "job_identity");
      Row row = read_row(*store, summary::str_field(idx, "archive_prefix"), summary::str_field(idx, "started_at"));
      if (since_ns) {
        auto s = summary::parse_rfc3339_ns(row.start);
        if (!s || *s < *since_ns) continue;
      }
      const json& pod = summary::object_field(summary::object_field(idx, "meta"), "pod");
      const std::string ns = summary::str_field(pod, "namespace"), name = summary::str_field(pod, "name");
      std::string pod_text = ns + "/" + name;
      if (pod_text == "/") pod_text = row.prefix;
      print_row(id, pod_text, row, url + "/" + obj.key);
      ++shown;
      // The workflow pods of a kubernetes-mode runner pod name no job of their own: they are
      // listed under the runner pod that names it (cli/runner_link.hpp).
      if (ns.empty() || name.empty()) continue;
      for (auto& w : workflow_rows(*store, ns, name, row.prefix, row.start)) {
        print_row(id, w.pod_text, w, "");
        ++shown;
      }
    }
    if (shown == 0) {
      std::string what = q.repo.empty() ? "no jobs under " + url + "/jobs/" : "no jobs of " + q.repo + (q.run.empty() ? "" : " run " + q.run);
      throw CliError(exit_not_found, what + (since.empty() ? "" : " since " + since));
    }
    return exit_ok;
  } catch (const storage::StoreError& e) {
    throw explain(e, url);
  }
}

}  // namespace jobtrail::cli
