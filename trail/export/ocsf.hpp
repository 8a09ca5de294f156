#pragma once
// An archive event (docs/schema.md) as OCSF records (docs/cli.md, "export"). Pure: one event and
// the job's context in, zero or more OCSF objects out; no I/O. Classes:
//   process_exec, process_exit          Process Activity 1007 (Launch 1 / Terminate 2)
//   net_connect, net_accept, net_close, net_udp   Network Activity 4001 (Open, Refuse, Fail, Close, Traffic)
//   dns_query, dns_answer               DNS Activity 4003 (Query 1 / Response 2)
//   file_open, file_io, file_change     File System Activity 1001
//   finding                             Detection Finding 2004 (Create 1)
// Every other type has no class here (Mapped::no_class). The source event's process and family
// object go whole into `unmapped` (full argv, cwd, exact bytes of strings that are not UTF-8).
#include <nlohmann/json.hpp>

#include "trail/export/job_context.hpp"
#include "trail/export/mapped.hpp"

namespace jobtrail::exporting {

// The OCSF version the records claim in metadata.version.
inline constexpr char ocsf_version[] = "1.3.0";

namespace ocsf_class {
inline constexpr int file_activity = 1001;
inline constexpr int process_activity = 1007;
inline constexpr int detection_finding = 2004;
inline constexpr int network_activity = 4001;
inline constexpr int dns_activity = 4003;
}  // namespace ocsf_class

Mapped to_ocsf(const nlohmann::json& event, const JobContext& ctx);

}  // namespace jobtrail::exporting
