// Replays prepared process_exec + process_exit records through the sidecar's Pipeline (decode,
// exec join, findings, compact live line, archive writer into a local folder, the summary-row
// fold the sidecar runs on every archived event) and prints the
// CPU it took per exec and per event, and the events per second of that CPU.
// Usage: pipeline_replay_bench [EXECS] [DIR]   (default 20000, a temporary folder)
// The live stream goes to /dev/null; results go to stderr.
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "bpf/events/process.h"
#include "sidecar/archive_sink.hpp"
#include "sidecar/findings_observer.hpp"
#include "sidecar/pipeline.hpp"
#include "sidecar/row_sink.hpp"
#include "trail/events/process_decode.hpp"
#include "trail/storage/local_store.hpp"

using namespace jobtrail;
using namespace jobtrail::sidecar;

namespace {

class ReplayTracer final : public Tracer {
 public:
  std::string name() const override { return "process"; }
  void open_and_load(const TracerContext&) override {}
  void attach() override {}
  std::optional<nlohmann::json> decode(const void* data, std::size_t size) override {
    return events::decode_process_record(data, size, nullptr);
  }
  std::map<std::string, std::uint64_t> read_losses() override { return {}; }
};

// Hands out the prepared records, `batch` per poll (a ring read of that many records).
class ReplayRings final : public RingSource {
 public:
  ReplayRings(const std::vector<std::string>& records, std::size_t batch) : records_(records), batch_(batch) {}
  int poll(int, RecordSink& sink) override { return read(sink, batch_); }
  int consume(RecordSink&) override { return 0; }
  bool done() const { return next_ == records_.size(); }

 private:
  int read(RecordSink& sink, std::size_t n) {
    int got = 0;
    for (; n && next_ < records_.size(); --n, ++next_, ++got)
      sink.on_record(records_[next_].data(), records_[next_].size());
    return got;
  }
  const std::vector<std::string>& records_;
  std::size_t batch_, next_ = 0;
};

std::string exec_record(std::uint64_t exec_id, std::uint32_t pid, std::uint64_t ktime) {
  const std::string binary = std::string("/usr/bin/true") + '\0', cwd = std::string("/work") + '\0';
  const std::string args = std::string("true\0#", 6) + std::to_string(exec_id) + '\0';
  process_exec_event e{};
  e.hdr.type = JT_EV_PROCESS_EXEC;
  e.hdr.pid = e.hdr.tid = pid;
  e.hdr.exec_id = exec_id;
  e.hdr.ktime_ns = ktime;
  e.parent_exec_id = 1;
  e.ppid = 1;
  e.old_tid = pid;
  e.binary_len = static_cast<__u16>(binary.size());
  e.cwd_len = static_cast<__u16>(cwd.size());
  e.args_len = static_cast<__u32>(args.size());
  std::string out(reinterpret_cast<const char*>(&e), sizeof e);
  out += binary + cwd + args;
  reinterpret_cast<event_header*>(out.data())->size = static_cast<__u32>(out.size());
  return out;
}

std::string exit_record(std::uint64_t exec_id, std::uint32_t pid, std::uint64_t ktime) {
  process_exit_event e{};
  e.hdr.type = JT_EV_PROCESS_EXIT;
  e.hdr.size = sizeof e;
  e.hdr.pid = e.hdr.tid = pid;
  e.hdr.exec_id = exec_id;
  e.hdr.ktime_ns = ktime;
  e.duration_ns = 500'000;
  return std::string(reinterpret_cast<const char*>(&e), sizeof e);
}

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t execs = 20000;
  if (argc > 1) {
    const char* end = argv[1] + std::strlen(argv[1]);
    if (std::from_chars(argv[1], end, execs).ptr != end || execs == 0) {
      std::fprintf(stderr, "usage: %s [EXECS] [DIR]\n", argv[0]);
      return 2;
    }
  }
  const std::filesystem::path dir = argc > 2 ? argv[2] : std::filesystem::temp_directory_path() / ("jt-replay-" + std::to_string(getpid()));
  spdlog::set_level(spdlog::level::warn);

  std::vector<std::string> records;
  records.reserve(2 * execs);
  for (std::size_t i = 0; i < execs; ++i) {
    const auto id = 100 + i;
    const auto pid = static_cast<std::uint32_t>(1000 + i % 30000);
    records.push_back(exec_record(id, pid, 1'000'000 + 2 * i * 1000));
    records.push_back(exit_record(id, pid, 1'000'000 + (2 * i + 1) * 1000));
  }

  archive::WriterOptions wo;
  wo.spool_dir = dir / "spool";
  auto store = std::make_shared<storage::LocalStore>(dir / "store");
  archive::Writer writer(wo, store, "", nlohmann::json::object());
  RowSink sink(writer);  // as the sidecar's session: every archived event is folded into the summary row
  std::vector<std::unique_ptr<Tracer>> tracers;
  tracers.push_back(std::make_unique<ReplayTracer>());
  ReplayRings rings(records, 256);
  Pipeline pipeline(tracers, rings, sink, OutputMode::compact, {});
  pipeline.add_observer(make_findings_observer({}));

  const int devnull = ::open("/dev/null", O_WRONLY);
  if (devnull < 0 || ::dup2(devnull, STDOUT_FILENO) < 0) return 1;  // the live stream

  const double c0 = cpu_seconds();
  while (!rings.done()) pipeline.poll(0);
  pipeline.drain();
  const double c1 = cpu_seconds();
  writer.finish(true, "replay done", std::chrono::steady_clock::now() + std::chrono::seconds(30));

  const double us = (c1 - c0) * 1e6;
  const auto events = pipeline.events();
  std::fprintf(stderr, "replay %zu execs (%llu events): %.1f us CPU per exec, %.2f us per event, %.0f events/s\n",
               execs, static_cast<unsigned long long>(events), us / static_cast<double>(execs),
               us / static_cast<double>(events), static_cast<double>(events) / (c1 - c0));
  if (argc <= 2) std::filesystem::remove_all(dir);
  return 0;
}
