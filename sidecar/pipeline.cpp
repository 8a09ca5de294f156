#include "sidecar/pipeline.hpp"

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "sidecar/line_stream.hpp"
#include "sidecar/metrics.hpp"
#include "trail/events/json_time.hpp"
#include "trail/events/types.hpp"
#include "trail/text/terminal_text.hpp"

namespace jobtrail::sidecar {

Pipeline::Pipeline(std::vector<std::unique_ptr<Tracer>>& tracers, RingSource& ring, ArchiveSink& writer,
                   OutputMode output, events::PodRef pod, std::size_t exec_table_bytes)
    : tracers_(tracers), ring_(ring), router_(tracers), writer_(writer), output_(output), pod_(std::move(pod)),
      join_(8192, exec_table_bytes) {
  mono_to_real_ns_ = events::monotonic_to_realtime_offset_ns();
}

void Pipeline::on_record(const void* data, std::size_t size) {
  if (counting_only_) {
    ++unread_at_end_;
    return;
  }
  const auto to = router_.route(data, size);
  if (!to.tracer) {  // a type in no family's range, or of a family this kernel did not load
    count_unhandled(events::lost_type::undecodable_prefix + std::string(to.family.empty() ? "record" : to.family),
                    "no tracer decodes the record's type");
    return;
  }
  try {  // nothing a record holds may leave the ring-buffer callback: libbpf's C would skip it
    handle(*to.tracer, data, size);
  } catch (...) {
    count_unhandled(events::lost_type::unhandled_prefix + to.tracer->name(), "unexpected error");
  }
}

int Pipeline::poll(int timeout_ms) {
  int n = ring_.poll(timeout_ms, *this);
  // Anything but an interrupted wait means the ring cannot be read any more: the session ends
  // the archive with what it has (complete: false) rather than spinning on the error.
  if (n < 0 && n != -EINTR) throw std::runtime_error(std::string("ring buffer poll failed: ") + std::strerror(-n));
  // The kernel side wakes us only once the ring is filling (bpf/lib/wakeup.bpf.h), and a poll
  // that timed out read nothing: what is waiting is read here, at most one poll timeout late.
  n = std::max(n, 0) + std::max(ring_.consume(*this), 0);
  flush_stdout();
  return n < 0 ? 0 : n;
}

void Pipeline::flush_stdout() {
  reorder_.release(events::realtime_now_ns(), out_);
  g_metrics.live_released_early = reorder_.released_early();
  g_metrics.live_out_of_order = reorder_.out_of_order();
  if (out_.empty()) return;
  std::fflush(stdout);  // anything written through stdio goes first
  // Whole lines, at most PIPE_BUF bytes a write: the job's own output never splices into a line.
  // A stream nobody reads any more (EPIPE) is not the trail: the archive goes on.
  write_whole_lines(STDOUT_FILENO, out_, PIPE_BUF);
  out_.clear();
}

void Pipeline::drain(std::chrono::steady_clock::time_point read_until) {
  // A job can go on writing records as fast as we decode them after the stop signal: reading
  // until the ring is empty would then run past the pod's grace period and lose the archive.
  using clock = std::chrono::steady_clock;
  while (ring_.consume(*this) >= RingSource::kMaxRecordsPerCall && clock::now() < read_until) {
  }
  if (clock::now() >= read_until) {
    // Counting costs a fraction of decoding, so the count catches up with any job; it is still
    // bounded, and a count cut short is a lower bound (the log says so).
    counting_only_ = true;
    const auto count_until = clock::now() + std::chrono::milliseconds(200);
    bool cut = true;
    while (clock::now() < count_until)
      if (ring_.consume(*this) < RingSource::kMaxRecordsPerCall) {
        cut = false;
        break;
      }
    counting_only_ = false;
    const std::uint64_t unread = unread_at_end_;
    if (unread > 0) unhandled_pending_[events::lost_type::unread_at_end] += unread;
    if (unread > 0 || cut)
      spdlog::warn("stop: {}{} records still in the ring buffer when the time to read it ran out, counted as lost",
                   cut ? "at least " : "", unread);
  }
  // The ring is not read after this: what a family still folds is flushed now.
  for (auto& t : tracers_)
    for (auto& e : t->flush()) handle_event_total(e);
  poll_losses();
  reorder_.flush(out_);
  flush_stdout();
}

void Pipeline::poll_losses() {
  // A record the kernel queued but no decoder accepted is as gone as one the kernel dropped: it
  // goes into the trail (and the manifest's loss totals) as `lost`, not only into the log.
  for (auto& [type, count] : unhandled_pending_) {
    nlohmann::json ev = {{"type", events::type_name::lost}, {"lost_type", type}, {"count", count},
                         {"time", events::rfc3339_ns(events::realtime_now_ns())}};
    writer_.add_lost(type, count);
    emit(ev);
  }
  unhandled_pending_.clear();
  for (auto& t : tracers_) {
    for (auto& [type, total] : t->read_losses()) {
      auto& seen = lost_seen_[type];
      if (total <= seen) continue;
      nlohmann::json ev = {{"type", events::type_name::lost}, {"lost_type", type}, {"count", total - seen},
                           {"time", events::rfc3339_ns(events::realtime_now_ns())}};
      writer_.add_lost(type, total - seen);
      g_metrics.lost += total - seen;
      seen = total;
      emit(ev);
    }
  }
}

void Pipeline::count_unhandled(const std::string& lost_type, std::string_view why) {
  ++bad_records_;
  ++g_metrics.bad_records;
  // The job chooses how many such records it makes: the log names the first of each kind per
  // loss interval, the counts go into the trail.
  if (unhandled_pending_[lost_type]++ == 0) spdlog::warn("{}: {}", text::terminal_safe(lost_type), text::terminal_safe(why));
}

void Pipeline::emit_family_missing(const std::string& family, const std::string& reason) {
  nlohmann::json ev = {{"type", events::type_name::family_missing}, {"family", family}, {"reason", reason},
                       {"time", events::rfc3339_ns(events::realtime_now_ns())}};
  emit(ev);
  flush_stdout();
}

void Pipeline::handle(Tracer& t, const void* data, std::size_t size) {
  std::optional<nlohmann::json> ev;
  try {
    ev = t.decode(data, size);
  } catch (const std::exception& e) {
    count_unhandled(events::lost_type::undecodable_prefix + t.name(), e.what());
    return;
  }
  if (!ev) {
    count_unhandled(events::lost_type::undecodable_prefix + t.name(), "no decoder accepted the record");
    return;
  }
  auto one = [&](nlohmann::json& e) {
    try {
      handle_event(e);
    } catch (const std::exception& x) {
      count_unhandled(events::lost_type::unhandled_prefix + t.name(), x.what());
    }
  };
  if (ev->is_array()) {  // a family may release several events at once (folded file opens)
    for (auto& e : *ev) one(e);
    return;
  }
  one(*ev);
}

void Pipeline::handle_event_total(nlohmann::json& event) {
  try {
    handle_event(event);
  } catch (const std::exception& x) {
    const auto type = event.is_object() ? event.find("type") : event.end();
    const bool named = type != event.end() && type->is_string();
    count_unhandled(events::lost_type::unhandled_prefix + (named ? type->get<std::string>() : std::string("event")), x.what());
  }
}

void Pipeline::handle_event(nlohmann::json& e) {
  if (auto k = e.find("ktime_ns"); k != e.end()) {
    e["time"] = events::rfc3339_ns(k->get<std::int64_t>() + mono_to_real_ns_);
    e.erase(k);
  }
  join_.arrive(e);
  // Every exec: the identity rules follow Runner.Listener and Runner.Worker, which carry no job env.
  if (const auto t = e.find("type"); t != e.end() && t->is_string() &&
                                     t->get_ref<const std::string&>() == events::type_name::process_exec)
    check_identity(e);
  emit(e);
}

void Pipeline::check_identity(const nlohmann::json& exec) {
  const auto* parent = join_.find(exec["process"].value("parent_exec_id", std::uint64_t{0}));
  auto outcome = identity_.on_exec(exec, parent);
  if (!outcome) return;
  if (outcome->adopted) writer_.set_job_identity(identity_.identity());
  emit(outcome->event);
}

void Pipeline::emit(nlohmann::json& event) {
  write(event);
  if (observers_.empty()) return;
  std::vector<nlohmann::json> derived;
  for (auto& o : observers_) {
    try {
      o->on_event(event, derived);
    } catch (const std::exception& x) {
      count_unhandled(events::lost_type::unhandled_findings, x.what());  // the event is written; its findings are not
    }
  }
  for (auto& d : derived) write(d), observe_derived(d);
}

void Pipeline::observe_derived(const nlohmann::json& d) {
  std::vector<nlohmann::json> none;  // such observers derive nothing
  for (auto& o : observers_)
    if (o->sees_derived()) o->on_event(d, none);
}

void Pipeline::finish_observers() {
  std::vector<nlohmann::json> derived;
  for (auto& o : observers_)
    if (!o->sees_derived()) o->on_finish(derived);
  for (auto& d : derived) write(d), observe_derived(d);
  for (auto& o : observers_)
    if (o->sees_derived()) o->on_finish(derived);
  reorder_.flush(out_);
  flush_stdout();
}

void Pipeline::write(nlohmann::json& event) {
  try {
    if (writer_.append(event) == ArchiveSink::dropped) {
      ++g_metrics.spool_dropped;
      spdlog::debug("event dropped: spool full");
    }
  } catch (const nlohmann::json::type_error&) {
    // invalid UTF-8 (argv bytes are arbitrary): keep the event, replacing bad bytes with U+FFFD
    event = nlohmann::json::parse(event.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    event["invalid_utf8"] = true;
    writer_.append(event);
  }
  ++events_;
  ++g_metrics.events;
  if (!events::in_stream_scope(event, scope_)) return;
  std::string line;
  try {
    if (output_ == OutputMode::json) {
      line = event.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);  // kept whole: it is parsed
    } else {
      line = events::format_compact(event, pod_);
      fit_live_line(line, PIPE_BUF);
    }
  } catch (const std::exception& x) {
    // the event is in the archive; only its live line is replaced (and counted in /metrics)
    ++g_metrics.bad_records;
    line = "(an event not shown: " + text::terminal_safe(x.what()) + ")";
    fit_live_line(line, PIPE_BUF);
  }
  line += '\n';
  reorder_.add(events::event_time_ns(event), events::realtime_now_ns(), std::move(line), out_);
  if (out_.size() > (1 << 16)) flush_stdout();
}

}  // namespace jobtrail::sidecar
