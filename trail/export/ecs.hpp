#pragma once
// An archive event (docs/schema.md) as an Elastic Common Schema document (docs/cli.md,
// "export"). Pure: one event and the job's context in, zero or more ECS objects out. Process,
// network, DNS, file and finding events map (finding: event.kind "alert" with rule.*); other
// types have no document here (Mapped::no_class). The job identity is under `labels`
// (github_repository, github_run_id, ...; ECS has no CI field set), the pod under
// `orchestrator`, and what ECS has no field for under `jobtrail` (type, seq, archive id, the
// exact bytes of strings that are not UTF-8).
#include <nlohmann/json.hpp>

#include "trail/export/job_context.hpp"
#include "trail/export/mapped.hpp"

namespace jobtrail::exporting {

inline constexpr char ecs_version[] = "8.11.0";

Mapped to_ecs(const nlohmann::json& event, const JobContext& ctx);

}  // namespace jobtrail::exporting
