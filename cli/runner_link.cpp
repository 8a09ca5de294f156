#include "cli/runner_link.hpp"

#include "trail/archive/layout.hpp"
#include "trail/summary/fields.hpp"

namespace jobtrail::cli {

using nlohmann::json;

std::string RunnerLink::text() const { return "runner pod " + runner_pod + " (archive " + archive_prefix + ")"; }

std::string RunnerLink::job_text() const {
  auto field = [&](const char* ours, const char* github) {
    auto v = summary::id_text(job_identity.value(ours, json()));
    return v.empty() ? summary::id_text(job_identity.value(github, json())) : v;
  };
  return field("repository", "GITHUB_REPOSITORY") + " run " + field("run_id", "GITHUB_RUN_ID") + " attempt " +
         field("run_attempt", "GITHUB_RUN_ATTEMPT") + " job " + field("job", "GITHUB_JOB");
}

std::optional<std::vector<std::string>> linked_runner_folders(const archive::Manifest& workflow) {
  if (workflow.job_identity.is_object()) return std::nullopt;
  const json& pod = summary::object_field(workflow.meta, "pod");
  const std::string ns = summary::str_field(pod, "namespace"), runner = summary::str_field(pod, "runner_pod");
  if (ns.empty() || runner.empty()) return std::nullopt;
  return archive::pod_folders(ns, runner, workflow.started_at, 1, 0);
}

std::optional<RunnerLink> pick_runner_archive(const std::vector<std::pair<std::string, archive::Manifest>>& candidates,
                                              const archive::Manifest& workflow) {
  const auto start = summary::parse_rfc3339_ns(workflow.started_at);
  const archive::Manifest* only = nullptr;
  const std::string* only_prefix = nullptr;
  int with_identity = 0;
  auto link = [&](const std::string& prefix, const archive::Manifest& m) {
    const json& pod = summary::object_field(m.meta, "pod");
    return RunnerLink{summary::str_field(pod, "namespace") + "/" + summary::str_field(pod, "name"), prefix, m.job_identity};
  };
  for (auto& [prefix, m] : candidates) {
    if (!m.job_identity.is_object() || m.job_identity.empty()) continue;
    ++with_identity;
    only = &m;
    only_prefix = &prefix;
    const auto a = summary::parse_rfc3339_ns(m.started_at), b = summary::parse_rfc3339_ns(m.ended_at);
    if (start && a && *a <= *start && (!b || *start <= *b)) return link(prefix, m);
  }
  // The hooks create the workflow pod while the runner pod's job runs, so a runner archive that
  // did not run then is not its runner (a pod the job made with a victim's runner-pod label).
  // Only without a start time to compare is the one candidate taken.
  if (!start && with_identity == 1) return link(*only_prefix, *only);
  return std::nullopt;
}

std::optional<RunnerLink> resolve_runner_link(storage::Store& root, const archive::Manifest& workflow,
                                              std::size_t max_candidates) {
  const auto folders = linked_runner_folders(workflow);
  if (!folders) return std::nullopt;
  std::vector<std::pair<std::string, archive::Manifest>> candidates;
  for (const auto& folder : *folders) {
    for (auto& o : root.list(folder)) {
      const auto slash = o.key.rfind('/');
      if (slash == std::string::npos || !archive::is_manifest_name(std::string_view(o.key).substr(slash + 1))) continue;
      const std::string prefix = o.key.substr(0, slash + 1);
      if (prefix.find('/', folder.size()) != prefix.size() - 1) continue;  // <folder><uid>/ only
      if (candidates.size() >= max_candidates) break;
      try {
        candidates.emplace_back(prefix, archive::manifest_from_json(json::parse(root.get(o.key))));
      } catch (const storage::StoreError& e) {
        if (e.code() != "NoSuchKey") throw;
      } catch (const std::exception&) {  // an unreadable manifest names no job
      }
    }
  }
  return pick_runner_archive(candidates, workflow);
}

std::shared_ptr<storage::Store> store_root(const Located& loc, const archive::Manifest& m,
                                           const storage::StoreOptions& options) {
  if (!loc.where.prefix.empty()) return loc.where.store;
  std::string url = loc.url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  std::string tail = m.archive_prefix;
  while (!tail.empty() && tail.back() == '/') tail.pop_back();
  if (tail.empty() || url.size() <= tail.size() || !url.ends_with("/" + tail)) return nullptr;
  auto o = options;
  o.url = url.substr(0, url.size() - tail.size() - 1);
  return storage::open_store(o);
}

std::optional<RunnerLink> runner_link_of(const Located& loc, const archive::Manifest& m,
                                         const storage::StoreOptions& options) {
  if (!linked_runner_folders(m)) return std::nullopt;
  try {
    auto root = store_root(loc, m, options);
    return root ? resolve_runner_link(*root, m) : std::nullopt;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace jobtrail::cli
