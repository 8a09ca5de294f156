#include "sidecar/session.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdarg>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "sidecar/cgroup.hpp"
#include "sidecar/findings_observer.hpp"
#include "sidecar/kernel_probe.hpp"
#include "sidecar/libbpf_ring.hpp"
#include "trail/sidecar_limits/memory_budget.hpp"
#include "sidecar/metrics.hpp"
#include "sidecar/otlp_exporter.hpp"
#include "sidecar/pipeline.hpp"
#include "sidecar/priv_tracer.hpp"
#include "sidecar/process_tracer.hpp"
#include "sidecar/row_sink.hpp"
#include "sidecar/shared_ring.hpp"
#include "sidecar/signal_origin.hpp"
#include "sidecar/signing_key.hpp"
#include "sidecar/tracers.hpp"

namespace jobtrail::sidecar {

std::atomic<bool> g_stop{false};

namespace {
// Signals caught, one bit per number, until the main loop decides what each meant.
std::atomic<std::uint64_t> g_caught{0};
static_assert(std::atomic<std::uint64_t>::is_always_lock_free);  // used in a signal handler
void on_signal(int sig) { g_caught.fetch_or(std::uint64_t{1} << sig); }

// Signals a process may send the sidecar that would end it by default (SIGKILL and SIGSTOP
// cannot be caught): SIGTERM and SIGINT stop it when they come from outside the job.
constexpr int kCaught[] = {SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2, SIGQUIT, SIGALRM};

// libbpf hands us its own printf format: marked as such so -Wformat checks callers, not us.
[[gnu::format(printf, 2, 0)]] int libbpf_to_spdlog(enum libbpf_print_level level, const char* fmt, va_list args) {
  char buf[1024];
  int n = std::vsnprintf(buf, sizeof buf, fmt, args);
  std::string_view line(buf, n > 0 ? std::min<std::size_t>(static_cast<std::size_t>(n), sizeof buf - 1) : 0);
  while (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (level == LIBBPF_WARN) spdlog::debug("libbpf: {}", line);  // start-up errors get one line from us
  else spdlog::trace("libbpf: {}", line);
  return 0;
}

int open_dir(const std::filesystem::path& p) {
  int fd = ::open(p.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error("cannot open cgroup " + p.string());
  return fd;
}
}  // namespace

static void publish_memory_stats(const Pipeline& p, const std::vector<std::unique_ptr<Tracer>>& tracers) {
  g_metrics.exec_table_bytes = p.exec_table().bytes();
  g_metrics.exec_args_not_joined = p.exec_table().args_not_kept();
  g_metrics.exec_not_joined = p.exec_table().not_kept();
  std::uint64_t bytes = 0, early = 0;
  for (auto& t : tracers) {
    auto use = t->memory_use();
    bytes += use.bytes;
    early += use.released_early;
  }
  g_metrics.file_folds_bytes = bytes;
  g_metrics.file_folds_released_early = early;
}

static void publish_writer_stats(const archive::WriterStats& w) {
  g_metrics.segments_spooled = w.segments_spooled;
  g_metrics.segments_uploaded = w.segments_uploaded;
  g_metrics.upload_retries = w.upload_retries;
  g_metrics.bytes_uploaded = w.bytes_uploaded;
  g_metrics.spool_bytes = w.spool_bytes;
  g_metrics.spool_full_hits = w.spool_full_hits;
  g_metrics.objects_given_up = w.objects_given_up;
}

void install_signal_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  for (int sig : kCaught) sigaction(sig, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

// A signal from a process of the job is in the trail (bpf/priv.bpf.c) and changes nothing else:
// the job must not be able to end its own trail early. Only SIGTERM/SIGINT from outside stop it.
class SignalJudge {
 public:
  explicit SignalJudge(const PrivTracer* priv) : priv_(priv) {}
  void take_caught() {
    std::uint64_t bits = g_caught.exchange(0);
    for (int sig : kCaught) {
      if (!(bits & (std::uint64_t{1} << sig))) continue;
      const std::optional<SignalTally> now = priv_ ? priv_->sidecar_signals(sig) : std::nullopt;
      const SignalOrigin origin = signal_origin(now, seen_[sig]);
      if (now) seen_[sig] = *now;
      const bool stops = sig == SIGTERM || sig == SIGINT;
      if (origin == SignalOrigin::job) {
        // A job looping on kill() gets a log line at the 1st, 2nd, 4th, 8th... time, not one per signal.
        if (const auto n = ++from_job_[sig]; (n & (n - 1)) == 0)
          spdlog::warn("signal {} from a process of the job ({} so far): in the trail; tracing goes on", sig, n);
      } else if (stops) {
        spdlog::info("signal {}{}: finishing the trail", sig, origin == SignalOrigin::outside ? " from outside the pod" : "");
        g_stop = true;
      } else {
        spdlog::info("signal {} ignored", sig);
      }
    }
  }

 private:
  const PrivTracer* priv_;
  SignalTally seen_[65];
  std::uint64_t from_job_[65] = {};  // caught signals judged the job's, per number
};

struct Session::Impl {
  Options opts;
  SessionSpec spec;
  int target_fd = -1, excluded_fd = -1;
  std::unique_ptr<SharedRing> ring;  // before the tracers: their objects hold the ring's fd too
  std::vector<std::unique_ptr<Tracer>> tracers;
  std::unique_ptr<archive::Writer> writer;
  std::unique_ptr<RowSink> sink;
  std::unique_ptr<LibbpfRing> reader;
  std::unique_ptr<Pipeline> pipeline;
  ~Impl() {
    pipeline.reset();
    tracers.clear();
    if (target_fd >= 0) ::close(target_fd);
    if (excluded_fd >= 0) ::close(excluded_fd);
  }
};

Session::Session(const Options& opts, SessionSpec spec) : impl_(std::make_unique<Impl>()) {
  auto& s = *impl_;
  s.opts = opts;
  s.spec = std::move(spec);
  libbpf_set_print(libbpf_to_spdlog);
  if (geteuid() != 0) throw std::runtime_error("jobtrail-sidecar needs root (or CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN)");
  if (access("/sys/kernel/btf/vmlinux", R_OK) != 0)
    throw std::runtime_error("kernel BTF missing (/sys/kernel/btf/vmlinux): a kernel with CONFIG_DEBUG_INFO_BTF=y is required");
  if (!ensure_tracefs()) spdlog::warn("tracefs is not mounted and could not be mounted (raw tracepoints still work)");
  s.target_fd = open_dir(s.spec.target);
  if (!s.spec.excluded.empty()) s.excluded_fd = open_dir(s.spec.excluded);

  auto proc = std::make_unique<ProcessTracer>();
  TracerContext ctx;
  ctx.target_cgroup_fd = s.target_fd;
  ctx.excluded_cgroup_fd = s.excluded_fd;
  ctx.target_cgroup_id = cgroup_id_of(s.spec.target);
  if (!s.spec.excluded.empty()) ctx.excluded_cgroup_id = cgroup_id_of(s.spec.excluded);
  ctx.files = opts.files;
  // Created before any family loads, so it exists whichever families this kernel can load.
  s.ring = std::make_unique<SharedRing>(opts.ring_buffer_kib * 1024);
  ctx.ring_map_fd = s.ring->fd();
  spdlog::info("ring buffer: {} KiB shared by every family (--ring-buffer-kib)", opts.ring_buffer_kib);
  proc->open_and_load(ctx);
  ctx.scope_map_fd = proc->scope_map_fd();
  ctx.exec_ref_map_fd = proc->exec_ref_map_fd();
  s.tracers.push_back(std::move(proc));
  // The process family and scoping must work (they threw above). Any other family this kernel
  // cannot load is left out alone: the others trace, the manifest and the stream say why.
  std::vector<std::pair<std::string, std::string>> missing;  // family, reason
  for (auto make : family_tracers()) {
    auto t = make();
    try {
      t->open_and_load(ctx);
      s.tracers.push_back(std::move(t));
    } catch (const std::exception& e) {
      spdlog::error("{} (the {} family is not traced on this kernel; the others are)", e.what(), t->name());
      missing.emplace_back(t->name(), e.what());
    }
  }

  // The kernel charges the ring's pages once (the RSS shows them twice: they are mapped twice).
  const std::uint64_t ring_bytes = s.ring->bytes();
  std::string why;
  const auto shares = split_memory_budget(opts.memory_budget_mib << 20, ring_bytes, &why);
  if (!shares) throw std::runtime_error(why);
  for (auto& t : s.tracers) t->set_memory_share(shares->file_folds);
  g_metrics.memory_budget_bytes = opts.memory_budget_mib << 20;
  spdlog::info("memory budget {} MiB: ring buffer {} MiB, exec table {} MiB, file folds {} MiB",
               opts.memory_budget_mib, ring_bytes >> 20, shares->exec_table >> 20, shares->file_folds >> 20);

  // What the trail could see on this kernel: in the manifest and in one log line.
  const std::string release = kernel_release();
  nlohmann::json features = nlohmann::json::object();
  std::string line;
  for (auto& t : s.tracers) {
    auto f = t->features();
    f["loaded"] = true;
    line += " " + t->name() + (f.size() > 1 ? f.dump() : "");
    features[t->name()] = std::move(f);
  }
  for (auto& [name, reason] : missing) {
    features[name] = {{"loaded", false}, {"reason", reason}};
    line += " " + name + "(missing)";
  }
  spdlog::info("kernel {}: families{}", release, line);
  s.spec.meta["kernel"] = release;
  s.spec.meta["features"] = features;

  archive::WriterOptions wo;
  wo.spool_dir = s.spec.spool;
  wo.spool_max_bytes = opts.spool_max_bytes;
  wo.segment_max_bytes = opts.segment_max_bytes;
  wo.segment_max_age = std::chrono::milliseconds(static_cast<long>(opts.segment_max_age_s * 1000));
  configure_signing(opts.signing_key, wo);
  s.writer = std::make_unique<archive::Writer>(wo, s.spec.store, s.spec.archive_prefix, s.spec.meta);
  s.sink = std::make_unique<RowSink>(*s.writer);
  s.reader = std::make_unique<LibbpfRing>(s.ring->fd());
  s.pipeline = std::make_unique<Pipeline>(s.tracers, *s.reader, *s.sink, opts.output, s.spec.pod, shares->exec_table);
  s.pipeline->set_stream_scope(opts.stream);
  // The webhook names the runner pod only in the workflow pods of kubernetes mode (JOBTRAIL_RUNNER_POD).
  const auto runner_pod = s.spec.meta.is_object() ? s.spec.meta.value("/pod/runner_pod"_json_pointer, std::string()) : "";
  if (!runner_pod.empty()) s.pipeline->set_pod_kind(JobIdentity::PodKind::workflow);
  s.pipeline->add_observer(make_findings_observer(
      {.disabled = {opts.disabled_findings.begin(), opts.disabled_findings.end()}, .allowed_domains = opts.allowed_domains}));
  if (!opts.otlp_endpoint.empty())
    s.pipeline->add_observer(make_otlp_exporter(opts.otlp_endpoint, otlp_resource_from_env(), opts.stream));
  for (auto& t : s.tracers) t->attach();
  for (auto& [name, reason] : missing) s.pipeline->emit_family_missing(name, reason);
  g_metrics.ready = true;
  spdlog::info("tracing cgroup {} (excluded: {}), archive {}{}", s.spec.target.string(),
               s.spec.excluded.empty() ? "none" : s.spec.excluded.string(), s.spec.store->url(),
               s.spec.archive_prefix.empty() ? "" : "/" + s.spec.archive_prefix);
}

Session::~Session() = default;

bool Session::run(const std::function<bool()>& should_stop) {
  auto& s = *impl_;
  // After start-up nothing ends the trail early: an error stops the tracing, and the archive of
  // what was traced so far is still finished (manifest complete: false, with the reason).
  std::string failure;
  auto guarded = [&failure](const char* stage, const std::function<void()>& step) {
    try {
      step();
    } catch (const std::exception& e) {
      if (failure.empty()) failure = std::string("sidecar error while ") + stage + ": " + e.what();
      spdlog::error("{} ({})", failure, e.what());
    }
  };
  PrivTracer* priv = nullptr;
  for (auto& t : s.tracers)
    if (auto* p = dynamic_cast<PrivTracer*>(t.get())) priv = p;
  SignalJudge judge(priv);
  guarded("tracing", [&] {
    auto last_loss = std::chrono::steady_clock::now();
    while (judge.take_caught(), !g_stop && !should_stop()) {
      s.pipeline->poll(100);
      auto now = std::chrono::steady_clock::now();
      s.writer->tick(now);
      if (now - last_loss > std::chrono::seconds(1)) {
        s.pipeline->poll_losses();
        publish_writer_stats(s.writer->stats());
        publish_memory_stats(*s.pipeline, s.tracers);
        if (priv) priv->refresh_self();  // threads started or gone since
        last_loss = now;
      }
    }
  });
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(static_cast<long>(s.opts.flush_deadline_s * 1000));
  // A quarter of the deadline for reading what is left in the ring, the rest for the archive.
  const auto read_until = std::chrono::steady_clock::now() +
                          std::chrono::milliseconds(static_cast<long>(s.opts.flush_deadline_s * 250));
  guarded("draining", [&] { s.pipeline->drain(read_until); });
  guarded("finishing findings", [&] { s.pipeline->finish_observers(); });
  failed_ = !failure.empty();
  const bool stopped_by_signal = g_stop.load();
  const std::string reason = failed_ ? failure : stopped_by_signal ? "stopped by signal" : "traced workload ended";
  auto r = s.writer->finish(!failed_, reason, deadline);
  if (!r.complete) {
    spdlog::warn("archive incomplete: {}", r.reason);
    for (auto& n : r.not_uploaded) spdlog::warn("not uploaded: {}", n);
  }
  spdlog::info("{} events, {} bad records", s.pipeline->events(), s.pipeline->bad_records());
  return r.complete;
}

}  // namespace jobtrail::sidecar
