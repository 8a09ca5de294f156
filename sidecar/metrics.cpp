#include "sidecar/metrics.hpp"

#include <string_view>

namespace jobtrail::sidecar {

SidecarMetrics g_metrics;

namespace {
void counter(std::string& out, std::string_view name, std::string_view help, std::uint64_t v,
             std::string_view type = "counter") {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
  out.append(name).append(" ").append(std::to_string(v)).append("\n");
}
}  // namespace

std::string render_metrics(const SidecarMetrics& m) {
  std::string out;
  counter(out, "jobtrail_sidecar_ready", "1 once every BPF program is attached", m.ready ? 1 : 0, "gauge");
  counter(out, "jobtrail_sidecar_events_total", "events written to the trail", m.events);
  counter(out, "jobtrail_sidecar_lost_events_total", "events the kernel could not queue (counted, in the trail)",
          m.lost);
  counter(out, "jobtrail_sidecar_bad_records_total", "kernel records no decoder accepted", m.bad_records);
  counter(out, "jobtrail_sidecar_otlp_exported_total", "records an OTLP receiver accepted (--otlp-endpoint)", m.otlp_exported);
  counter(out, "jobtrail_sidecar_otlp_dropped_total", "records the OTLP exporter dropped (queue full, receiver failed)",
          m.otlp_dropped);
  counter(out, "jobtrail_sidecar_spool_dropped_total", "events dropped because the spool was full",
          m.spool_dropped);
  counter(out, "jobtrail_sidecar_segments_spooled_total", "segments sealed into the spool", m.segments_spooled);
  counter(out, "jobtrail_sidecar_segments_uploaded_total", "segments the store acknowledged", m.segments_uploaded);
  counter(out, "jobtrail_sidecar_upload_retries_total", "failed upload attempts that were retried (the log says why)",
          m.upload_retries);
  counter(out, "jobtrail_sidecar_uploaded_bytes_total", "compressed bytes the store acknowledged", m.bytes_uploaded);
  counter(out, "jobtrail_sidecar_spool_bytes", "bytes waiting in the spool", m.spool_bytes, "gauge");
  counter(out, "jobtrail_sidecar_spool_full_total", "times the spool bound was hit", m.spool_full_hits);
  counter(out, "jobtrail_sidecar_upload_given_up_total",
          "archive objects the store would not take, given up (the manifest's failed_objects)", m.objects_given_up);
  counter(out, "jobtrail_sidecar_orphan_spools_finished_total",
          "spool folders of dead sidecars on this node that this one uploaded and removed", m.orphan_spools_finished);
  counter(out, "jobtrail_sidecar_orphan_spools_skipped_total",
          "spool folders of dead sidecars refused by a check (the log says why)", m.orphan_spools_skipped);
  counter(out, "jobtrail_sidecar_memory_budget_bytes", "the sidecar's memory budget (--memory-budget-mib)",
          m.memory_budget_bytes, "gauge");
  counter(out, "jobtrail_sidecar_exec_table_bytes", "bytes the exec table holds for the join", m.exec_table_bytes,
          "gauge");
  counter(out, "jobtrail_sidecar_exec_args_not_joined_total",
          "execs whose argv the join did not keep (budget; the process_exec event has it)", m.exec_args_not_joined);
  counter(out, "jobtrail_sidecar_exec_not_joined_total",
          "execs the join did not keep at all (budget; their events carry only pid, tid, exec_id)", m.exec_not_joined);
  counter(out, "jobtrail_sidecar_file_folds_bytes", "bytes of folded file opens waiting for their exec's end",
          m.file_folds_bytes, "gauge");
  counter(out, "jobtrail_sidecar_file_folds_released_early_total",
          "folded file opens written before their exec ended (budget)", m.file_folds_released_early);
  counter(out, "jobtrail_sidecar_live_released_early_total",
          "live lines written before their reorder hold time because the buffer was full", m.live_released_early);
  counter(out, "jobtrail_sidecar_live_out_of_order_total",
          "live lines written after a line of a later event (buffer full or read too late)", m.live_out_of_order);
  return out;
}

}  // namespace jobtrail::sidecar
