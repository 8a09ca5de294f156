#pragma once
// The core loop: polls the one ring buffer, hands each record to the tracer of its type's family,
// enriches with the exec table, writes the live stream and the archive, polls losses, and derives
// the job identity. The ring and the archive come in as interfaces, so the loop is unit-tested
// without a kernel.
#include <atomic>
#include <chrono>
#include <limits>
#include <memory>
#include <string_view>
#include <vector>

#include "sidecar/archive_sink.hpp"
#include "sidecar/exec_join.hpp"
#include "sidecar/job_identity.hpp"
#include "sidecar/observer.hpp"
#include "sidecar/options.hpp"
#include "sidecar/record_router.hpp"
#include "sidecar/ring_source.hpp"
#include "sidecar/tracer.hpp"
#include "trail/events/compact.hpp"
#include "trail/events/stream_scope.hpp"
#include "trail/events/time_reorder.hpp"

namespace jobtrail::sidecar {

class Pipeline final : private RecordSink {
 public:
  // `ring` reads the records of `tracers` (each record's type names its family's tracer).
  Pipeline(std::vector<std::unique_ptr<Tracer>>& tracers, RingSource& ring, ArchiveSink& writer, OutputMode output,
           events::PodRef pod, std::size_t exec_table_bytes = std::numeric_limits<std::size_t>::max());
  // Polls once (up to timeout_ms); returns records handled.
  int poll(int timeout_ms);
  // Drains everything the kernel has produced so far and writes final loss records.
  // Reads the ring in batches until it is empty or `read_until` passes; what a job still writes
  // after that is counted for a moment more, not decoded, and written as `lost` (unread_at_end).
  void drain(std::chrono::steady_clock::time_point read_until = std::chrono::steady_clock::time_point::max());
  void poll_losses();
  // A `family_missing` event: a tracer family this kernel could not load, and why.
  void emit_family_missing(const std::string& family, const std::string& reason);
  // Which events the live stream shows (the archive always has every event).
  void set_stream_scope(events::StreamScope scope) { scope_ = scope; }
  // A kubernetes-mode workflow pod takes no identity from its own processes (job_identity.hpp).
  void set_pod_kind(JobIdentity::PodKind kind) { identity_.set_pod_kind(kind); }
  // Observers see every event after it is written (the findings engine).
  void add_observer(std::unique_ptr<EventObserver> o) { observers_.push_back(std::move(o)); }
  // End of the trail: lets observers emit what is only known at the end.
  void finish_observers();
  std::uint64_t events() const { return events_; }
  std::uint64_t bad_records() const { return bad_records_; }
  const ExecTable& exec_table() const { return join_.table(); }

 private:
  void on_record(const void* data, std::size_t size) override;
  void handle(Tracer& t, const void* data, std::size_t size);
  void handle_event(nlohmann::json& event);
  void emit(nlohmann::json& event);
  void observe_derived(const nlohmann::json& derived);  // for observers that see what others derive
  void handle_event_total(nlohmann::json& event);  // handle_event(), an error becomes a counted loss
  // One record or event a stage could not handle: a `lost` event of `lost_type` at the next
  // loss poll (docs/schema.md lists the types).
  void count_unhandled(const std::string& lost_type, std::string_view why);
  void write(nlohmann::json& event);
  void flush_stdout();
  void check_identity(const nlohmann::json& exec);

  std::vector<std::unique_ptr<Tracer>>& tracers_;
  RingSource& ring_;
  RecordRouter router_;
  ArchiveSink& writer_;
  OutputMode output_;
  events::StreamScope scope_ = events::StreamScope::story;
  events::PodRef pod_;
  ExecJoin join_;  // process fields for every event
  std::int64_t mono_to_real_ns_ = 0;
  std::map<std::string, std::uint64_t> lost_seen_;
  // Records or events a stage could not handle, per lost_type, not yet written as `lost` events.
  std::map<std::string, std::uint64_t> unhandled_pending_;
  bool counting_only_ = false;  // the end of drain(): records are counted, not decoded
  std::uint64_t unread_at_end_ = 0;  // what counting_only_ counted (a plain counter: no map lookup per record)
  JobIdentity identity_;
  std::uint64_t events_ = 0, bad_records_ = 0;
  std::string out_;  // stdout buffer, flushed per poll
  events::TimeReorder reorder_;  // live lines wait here a moment to be written in the order they happened
  std::vector<std::unique_ptr<EventObserver>> observers_;
};

}  // namespace jobtrail::sidecar
