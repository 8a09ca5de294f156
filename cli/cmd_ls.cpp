// `jobtrail ls`: one line per archived job, from the index objects under jobs/ and each manifest.
#include <cstdio>
#include <iostream>

#include "cli/common.hpp"
#include "cli/errors.hpp"
#include "trail/archive/layout.hpp"
#include "trail/summary/fields.hpp"
#include "trail/text/terminal_text.hpp"

namespace jobtrail::cli {

using nlohmann::json;

namespace {
std::string id_value(const json& id, const char* ours, const char* github) {
  auto a = summary::id_text(id.value(ours, json()));
  return a.empty() ? summary::id_text(id.value(github, json())) : a;
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
    for (auto& obj : store->list(prefix)) {
      if (!obj.key.ends_with(".json")) continue;
      json idx = json::parse(store->get(obj.key), nullptr, false);
      if (!idx.is_object() || !idx.contains("archive_prefix")) {
        std::cerr << "jobtrail: " << text::terminal_safe(obj.key) << " is not a jobtrail index object; skipped\n";
        continue;
      }
      const json& id = summary::object_field(idx, "job_identity");
      std::string prefix_of = summary::str_field(idx, "archive_prefix");
      std::string start = summary::str_field(idx, "started_at"), status = "no manifest (running or cut short)";
      double duration = -1;
      std::uint64_t events = 0, lost = 0;
      try {
        if (auto body = archive::read_manifest_body(*store, prefix_of)) {
          auto m = archive::manifest_from_json(json::parse(*body));
          start = m.started_at.empty() ? start : m.started_at;
          auto a = summary::parse_rfc3339_ns(m.started_at), b = summary::parse_rfc3339_ns(m.ended_at);
          if (a && b) duration = (static_cast<double>(*b) - static_cast<double>(*a)) / 1e9;
          events = m.events;
          for (auto& [t, n] : m.lost) lost += n;
          status = m.complete ? "complete" : "incomplete: " + m.incomplete_reason;
        }
      } catch (const storage::StoreError&) {
        throw;
      } catch (const std::exception& e) {
        status = std::string("bad manifest: ") + e.what();
      }
      if (since_ns) {
        auto s = summary::parse_rfc3339_ns(start);
        if (!s || *s < *since_ns) continue;
      }
      const json& pod = summary::object_field(summary::object_field(idx, "meta"), "pod");
      std::string pod_text = summary::str_field(pod, "namespace") + "/" + summary::str_field(pod, "name");
      if (pod_text == "/") pod_text = prefix_of;
      ++shown;
      if (as_json) {
        std::cout << json{{"repository", id_value(id, "repository", "GITHUB_REPOSITORY")},
                          {"run_id", id_value(id, "run_id", "GITHUB_RUN_ID")},
                          {"run_attempt", id_value(id, "run_attempt", "GITHUB_RUN_ATTEMPT")},
                          {"job", id_value(id, "job", "GITHUB_JOB")}, {"pod", pod_text}, {"start", start},
                          {"duration_s", duration}, {"events", events}, {"lost", lost}, {"status", status},
                          {"archive", url + "/" + prefix_of}, {"index", url + "/" + obj.key}}
                         .dump(-1, ' ', false, json::error_handler_t::replace)
                  << "\n";
      } else {
        // Every column but the numbers comes from objects the job's pod wrote.
        const auto t = [](const std::string& s) { return text::terminal_safe(s); };
        char dur[32] = "-";
        if (duration >= 0) std::snprintf(dur, sizeof dur, "%.1fs", duration);
        std::printf("%-28s %-12s %-3s %-18s %-40s %-20.20s %9s %9llu %6llu %s\n",
                    t(id_value(id, "repository", "GITHUB_REPOSITORY")).c_str(),
                    t(id_value(id, "run_id", "GITHUB_RUN_ID")).c_str(),
                    t(id_value(id, "run_attempt", "GITHUB_RUN_ATTEMPT")).c_str(),
                    t(id_value(id, "job", "GITHUB_JOB")).c_str(), t(pod_text).c_str(), t(start).c_str(), dur,
                    static_cast<unsigned long long>(events), static_cast<unsigned long long>(lost), t(status).c_str());
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
