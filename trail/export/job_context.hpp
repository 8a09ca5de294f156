#pragma once
// What every exported record says about the job it came from: the archive id (OCSF
// metadata.correlation_uid, ECS labels.jobtrail_archive_id), the job identity and the pod. Taken
// from the manifest; an archive cut short has none, and then the first `job_identity` event of
// the trail fills the identity for the records after it.
#include <string>

#include <nlohmann/json.hpp>

#include "trail/archive/manifest.hpp"

namespace jobtrail::exporting {

struct JobContext {
  std::string archive_id;
  // repository, run_id, run_attempt, job, workflow, sha, ref, runner (strings; absent = unknown)
  nlohmann::json job = nlohmann::json::object();
  std::string pod_name, pod_namespace, pod_uid, node;
};

// From a manifest (any field may be missing or of the wrong type); `fallback_id` names the
// archive when the manifest has no id (or there is none).
JobContext job_context(const archive::Manifest* manifest, const std::string& fallback_id);

// The identity in our names from either spelling (repository or GITHUB_REPOSITORY, ...):
// only string values are kept.
nlohmann::json normalized_job(const nlohmann::json& identity);

// A `job_identity` event (not a mismatch) sets the identity when the context has none yet.
void adopt_identity(JobContext& ctx, const nlohmann::json& event);

}  // namespace jobtrail::exporting
