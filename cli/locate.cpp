#include "cli/locate.hpp"

#include <algorithm>
#include <filesystem>
#include <set>

#include "cli/errors.hpp"
#include "trail/archive/layout.hpp"

namespace jobtrail::cli {

using nlohmann::json;

namespace {

std::string trim_slashes(std::string s) {
  while (s.size() > 1 && s.back() == '/' && !s.ends_with("://")) s.pop_back();
  return s;
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t prev = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t cur = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] == b[j - 1] ? 0 : 1)});
      prev = cur;
    }
  }
  return row[b.size()];
}

// The distinct path components at `depth` (0-based, after "jobs/") of the index keys.
std::set<std::string> components(const std::vector<storage::ObjectInfo>& objs, std::size_t from, std::size_t count) {
  std::set<std::string> out;
  for (auto& o : objs) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (true) {
      auto slash = o.key.find('/', start);
      parts.push_back(o.key.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
    if (parts.size() < from + count + 1) continue;
    std::string v;
    for (std::size_t i = from; i < from + count; ++i) v += (v.empty() ? "" : "/") + parts[i];
    out.insert(v);
  }
  return out;
}

// "closest: a, b, c" by edit distance (and numeric distance for run ids).
std::string closest(const std::set<std::string>& have, const std::string& want) {
  std::vector<std::pair<double, std::string>> scored;
  for (auto& h : have) {
    double d = static_cast<double>(edit_distance(h, want));
    char* end1 = nullptr;
    char* end2 = nullptr;
    double a = std::strtod(h.c_str(), &end1), b = std::strtod(want.c_str(), &end2);
    if (!h.empty() && !want.empty() && *end1 == 0 && *end2 == 0) d = std::abs(a - b);
    scored.emplace_back(d, h);
  }
  std::sort(scored.begin(), scored.end());
  std::string out;
  for (std::size_t i = 0; i < scored.size() && i < 3; ++i) out += (out.empty() ? "" : ", ") + scored[i].second;
  return out.empty() ? "none" : out;
}

[[noreturn]] void no_such_job(storage::Store& root, const JobQuery& q) {
  std::string what = q.run.empty() ? "no archive" : "no archive for run " + q.run;
  if (!q.attempt.empty()) what += " attempt " + q.attempt;
  if (!q.job.empty()) what += " job " + q.job;
  what += " in " + q.repo;
  auto repo_objs = root.list("jobs/" + q.repo + "/");
  if (repo_objs.empty()) {
    auto all = root.list("jobs/");
    if (all.empty())
      throw CliError(exit_not_found, what + ": " + root.url() + " holds no job index objects (jobs/...); wrong bucket or prefix?");
    throw CliError(exit_not_found, what + "; closest repositories: " + closest(components(all, 1, 2), q.repo));
  }
  auto runs = components(repo_objs, 3, 1);
  if (!q.run.empty() && !runs.count(q.run))
    throw CliError(exit_not_found, what + "; closest runs: " + closest(runs, q.run));
  std::set<std::string> here;
  for (auto& o : repo_objs) here.insert(o.key.substr(0, o.key.rfind('/')));
  throw CliError(exit_not_found, what + "; archives of that run: " + closest(here, query_prefix(q)));
}

Located from_index(std::shared_ptr<storage::Store> root, const std::string& root_url, const std::string& key) {
  json idx = json::parse(root->get(key), nullptr, false);
  if (!idx.is_object() || !idx.contains("archive_prefix") || !idx["archive_prefix"].is_string())
    throw CliError(exit_tampered, "index object " + key + " in " + root_url + " is not a jobtrail index");
  std::string prefix = idx["archive_prefix"];
  return {{root, prefix}, root_url + "/" + prefix, idx};
}

Located from_index_prefix(std::shared_ptr<storage::Store> root, const std::string& root_url, const std::string& prefix,
                          const JobQuery& q) {
  std::vector<std::string> keys;
  for (auto& o : root->list(prefix))
    if (o.key.ends_with(".json")) keys.push_back(o.key);
  if (keys.empty()) no_such_job(*root, q);
  if (keys.size() > 1) {
    std::string list;
    for (std::size_t i = 0; i < keys.size() && i < 10; ++i) list += "\n  " + root_url + "/" + keys[i];
    throw CliError(exit_usage, std::to_string(keys.size()) +
                                   " archives match; name one (add --attempt/--job, or give its path):" + list);
  }
  return from_index(root, root_url, keys.front());
}

}  // namespace

void require_local_folder(const std::string& url) {
  if (url.find("://") != std::string::npos && !url.starts_with("file://")) return;
  std::string path = url.starts_with("file://") ? url.substr(7) : url;
  // The folder store creates its root; a lookup must not leave an empty folder behind a typo.
  std::error_code ec;
  if (!path.empty() && !std::filesystem::is_directory(path, ec))
    throw CliError(exit_not_found, "no such folder: " + path);
}

std::pair<std::string, std::string> split_jobs_path(const std::string& raw) {
  std::string url = trim_slashes(raw);
  auto scheme = url.find("://");
  std::size_t from = scheme == std::string::npos ? 0 : scheme + 3;
  if (url.compare(from, 5, "jobs/") == 0) return {url.substr(0, from), url.substr(from)};
  auto pos = url.find("/jobs/", from);
  if (pos == std::string::npos) {
    if (url.ends_with("/jobs")) return {url.substr(0, url.size() - 5), "jobs"};
    return {url, ""};
  }
  return {url.substr(0, pos), url.substr(pos + 1)};
}

std::string query_prefix(const JobQuery& q) {
  auto slash = q.repo.find('/');
  std::string p = "jobs/" + archive::key_component(q.repo.substr(0, slash)) + "/" +
                  archive::key_component(q.repo.substr(slash + 1)) + "/";
  if (q.run.empty()) return p;
  p += archive::key_component(q.run) + "/";
  if (q.attempt.empty()) return p;
  p += archive::key_component(q.attempt) + "/";
  if (q.job.empty()) return p;
  return p + archive::key_component(q.job) + "/";
}

Located locate_archive(const std::string& raw, const JobQuery& q, const storage::StoreOptions& options) {
  std::string url = trim_slashes(raw);
  for (auto name : {archive::manifest_name, archive::legacy_manifest_name})
    if (url.ends_with("/" + std::string(name))) url.resize(url.size() - name.size() - 1);
  auto open = [&](const std::string& u) {
    require_local_folder(u);
    auto o = options;
    o.url = u;
    return storage::open_store(o);
  };
  try {
    if (q.any()) {
      if (q.repo.find('/') == std::string::npos || q.repo.front() == '/' || q.repo.back() == '/')
        throw CliError(exit_usage, "--repo wants owner/name, got '" + q.repo + "'");
      if (!q.job.empty() && q.attempt.empty()) {
        // The job without an attempt: any attempt of it.
        auto root = open(url);
        JobQuery run_only = q;
        run_only.job.clear();
        std::vector<std::string> keys;
        for (auto& o : root->list(query_prefix(run_only)))
          if (o.key.ends_with(".json") && o.key.find("/" + archive::key_component(q.job) + "/") != std::string::npos)
            keys.push_back(o.key);
        if (keys.size() == 1) return from_index(root, url, keys.front());
        if (keys.empty()) no_such_job(*root, q);
        return from_index_prefix(root, url, query_prefix(run_only), q);  // lists them as ambiguous
      }
      auto root = open(url);
      return from_index_prefix(root, url, query_prefix(q), q);
    }
    auto [root_url, jobs_path] = split_jobs_path(url);
    if (!jobs_path.empty()) {
      auto root = open(root_url.empty() ? "." : root_url);
      if (jobs_path.ends_with(".json")) return from_index(root, root_url, jobs_path);
      JobQuery from_path;
      std::vector<std::string> parts;
      for (std::size_t s = 5, e; s <= jobs_path.size(); s = e + 1) {
        e = jobs_path.find('/', s);
        if (e == std::string::npos) e = jobs_path.size();
        parts.push_back(jobs_path.substr(s, e - s));
      }
      if (parts.size() >= 2) from_path.repo = parts[0] + "/" + parts[1];
      if (parts.size() >= 3) from_path.run = parts[2];
      if (parts.size() >= 4) from_path.attempt = parts[3];
      if (parts.size() >= 5) from_path.job = parts[4];
      if (from_path.repo.empty()) throw CliError(exit_usage, "a jobs/ path needs at least jobs/<owner>/<repo>: " + raw);
      return from_index_prefix(root, root_url, jobs_path + "/", from_path);
    }
    auto store = open(url);
    bool manifest = false, segments = false, jobs = false;
    for (auto& o : store->list("")) {
      if (archive::is_manifest_name(o.key)) manifest = true;
      else if (archive::parse_segment_name(o.key)) segments = true;
      else if (o.key.starts_with("jobs/")) jobs = true;
      if (manifest) break;
    }
    if (manifest || segments) return {{store, ""}, url, json()};
    if (jobs)
      throw CliError(exit_usage, url + " is a store root, not one archive: list it with `jobtrail ls " + url +
                                     "`, then name a job (--repo/--run/--job or its jobs/... path)");
    throw CliError(exit_not_found, "no archive at " + url + " (no _manifest.json or manifest.json and no events-*.jsonl.zst segments)");
  } catch (const storage::StoreError& e) {
    throw explain(e, url);
  }
}

}  // namespace jobtrail::cli
