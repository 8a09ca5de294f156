#include "trail/export/job_context.hpp"

#include <utility>

#include "trail/events/types.hpp"
#include "trail/export/fields.hpp"

namespace jobtrail::exporting {

namespace {
// Our key, then the GitHub variable the sidecar reads (trail/events/types.hpp).
const std::pair<const char*, const char*> kJobKeys[] = {
    {"repository", events::job_var::repository}, {"run_id", events::job_var::run_id},
    {"run_attempt", events::job_var::run_attempt}, {"job", events::job_var::job},
    {"workflow", events::job_var::workflow},       {"workflow_ref", events::job_var::workflow_ref},
    {"sha", events::job_var::sha},                 {"ref", events::job_var::ref},
    {"runner", events::job_var::runner_name},
};
}  // namespace

nlohmann::json normalized_job(const nlohmann::json& identity) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [ours, theirs] : kJobKeys) {
    if (auto v = string_member(identity, ours)) out[ours] = *v;
    else if (auto w = string_member(identity, theirs)) out[ours] = *w;
  }
  return out;
}

JobContext job_context(const archive::Manifest* m, const std::string& fallback_id) {
  JobContext ctx;
  ctx.archive_id = fallback_id;
  if (!m) return ctx;
  if (!m->archive_id.empty()) ctx.archive_id = m->archive_id;
  ctx.job = normalized_job(m->job_identity);
  if (const auto* pod = object_member(m->meta, "pod")) {
    ctx.pod_name = string_member(*pod, "name").value_or("");
    ctx.pod_namespace = string_member(*pod, "namespace").value_or("");
    ctx.pod_uid = string_member(*pod, "uid").value_or("");
    ctx.node = string_member(*pod, "node").value_or("");
  }
  return ctx;
}

void adopt_identity(JobContext& ctx, const nlohmann::json& ev) {
  if (!ctx.job.empty() || string_member(ev, "type") != events::type_name::job_identity) return;
  if (bool_member(ev, "mismatch").value_or(false)) return;
  if (const auto* job = object_member(ev, "job")) ctx.job = normalized_job(*job);
}

}  // namespace jobtrail::exporting
