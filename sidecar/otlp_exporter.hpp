#pragma once
// The live stream as OpenTelemetry logs over OTLP/HTTP (JSON encoding of ExportLogsServiceRequest),
// for collectors (docs/sidecar.md, "Streaming to collectors"). An observer of the pipeline: it
// only appends each event's record to a bounded queue; a sender thread posts batches. What the
// queue cannot take, or the receiver does not accept, is dropped and counted, never waited for:
// the trail must not slow down because a collector is slow or gone.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "sidecar/observer.hpp"
#include "trail/events/stream_scope.hpp"

namespace jobtrail::sidecar {

struct HttpUrl {
  std::string host, port, target;  // "collector", "4318", "/v1/logs"
};
// http://HOST[:PORT]/PATH (port 80 by default; [v6] hosts); nullopt for anything else, https included.
std::optional<HttpUrl> parse_http_url(std::string_view url);

// Who the records are about: the pod (from the webhook's environment) and, once the trail has
// revealed it, the job (`job_identity.job`, the GITHUB_* names).
struct OtlpResource {
  std::string pod_name, pod_namespace, pod_uid, node, version;
};
// The pod from the webhook's environment (JOBTRAIL_POD_NAME, ...), and the sidecar's version.
OtlpResource otlp_resource_from_env();
// `resource` of ExportLogsServiceRequest: service.*, k8s.*, and cicd.*/vcs.* from `job`.
nlohmann::json otlp_resource(const OtlpResource& r, const nlohmann::json& job);
// One LogRecord for an event: its time, severity (findings by their severity, `lost` WARN),
// the event's JSON line as body, event.name and jobtrail.seq attributes.
nlohmann::json otlp_log_record(const nlohmann::json& event, const std::string& line, std::int64_t observed_ns);
// The request body around already serialized LogRecords (comma-joined in `records`).
std::string otlp_request_body(const nlohmann::json& resource, const std::string& records, std::string_view version);

struct OtlpLimits {
  std::size_t queue_records = 4096;
  std::size_t queue_bytes = 8 << 20;
  std::size_t batch_records = 512;
  int batch_interval_ms = 1000;
  int request_timeout_ms = 5000;
  int finish_deadline_ms = 2000;
};

struct OtlpCounts {
  std::uint64_t exported = 0, dropped = 0;
};

class OtlpExporter;
// Throws std::invalid_argument for a URL parse_http_url refuses (a start-up error).
std::unique_ptr<EventObserver> make_otlp_exporter(const std::string& url, OtlpResource resource, events::StreamScope scope,
                                                  OtlpLimits limits = {});
// What an exporter made by make_otlp_exporter has sent and dropped so far (tests, logs).
OtlpCounts otlp_counts(const EventObserver& exporter);

}  // namespace jobtrail::sidecar
