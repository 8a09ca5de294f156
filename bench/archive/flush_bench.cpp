// archive_flush_bench --events N --spool DIR --storage URL [--s3-* flags]
// Appends N synthetic events (uploads run in the background meanwhile, as in a job), then
// calls finish() the way the sidecar does on SIGTERM and reports how long until the archive
// is complete in the store, the append rate, and RSS (sampled every 10 ms during the run).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <spdlog/spdlog.h>
#include <thread>

#include "trail/archive/reader.hpp"
#include "trail/archive/verify.hpp"
#include "trail/archive/writer.hpp"

using namespace jobtrail;
using steady = std::chrono::steady_clock;

namespace {
long rss_kib() {
  std::ifstream in("/proc/self/statm");
  long pages = 0, resident = 0;
  in >> pages >> resident;
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

// Events shaped like the sidecar's: varied pids, argv and times, so compression is realistic.
nlohmann::json event(std::uint64_t i, std::mt19937_64& rng) {
  static const char* types[] = {"process_exec", "process_exit", "file_open", "net_connect", "dns_query"};
  static const char* bins[] = {"/usr/bin/gcc", "/bin/sh", "/usr/bin/git", "/usr/bin/curl", "/usr/bin/python3"};
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(rng()));
  char time[40];
  std::snprintf(time, sizeof time, "2026-11-29T00:%02llu:%02llu.%09lluZ", (i / 60000) % 60ull, (i / 1000) % 60ull,
                static_cast<unsigned long long>(rng() % 1000000000));
  auto pid = 1000 + rng() % 30000;
  return {{"type", types[i % 5]},
          {"time", time},
          {"process",
           {{"pid", pid}, {"ppid", pid - 1}, {"ns_pid", pid % 500}, {"uid", 1001}, {"gid", 1001},
            {"binary", bins[i % 5]},
            {"args", {bins[i % 5], "-c", std::string("src/file_") + hex + ".c", "-o", std::string("obj/") + hex + ".o"}},
            {"cwd", "/home/runner/_work/repo/repo"}, {"exec_id", std::string("x") + hex},
            {"parent_exec_id", "x0000000000000001"}, {"container", "runner"}}}};
}
// Holds every upload until opened: the "cold" case where the whole trail is still in the
// spool when finish() starts (e.g. the store was unreachable during the job).
class GateStore : public storage::Store {
 public:
  explicit GateStore(std::shared_ptr<storage::Store> inner) : inner_(std::move(inner)) {}
  void open() {
    std::lock_guard l(mu_);
    open_ = true;
    cv_.notify_all();
  }
  std::string url() const override { return inner_->url(); }
  void put_new(const std::string& k, std::string_view b, std::string_view t) override { wait(), inner_->put_new(k, b, t); }
  void put_new_file(const std::string& k, const std::filesystem::path& f, std::string_view t) override {
    wait(), inner_->put_new_file(k, f, t);
  }
  std::string get(const std::string& k) override { return inner_->get(k); }
  void get_to_file(const std::string& k, const std::filesystem::path& f) override { inner_->get_to_file(k, f); }
  std::vector<storage::ObjectInfo> list(const std::string& p) override { return inner_->list(p); }
  std::unique_ptr<std::istream> open_read(const std::string& k) override { return inner_->open_read(k); }

 private:
  void wait() {
    std::unique_lock l(mu_);
    cv_.wait(l, [&] { return open_; });
  }
  std::shared_ptr<storage::Store> inner_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"archive flush benchmark"};
  std::uint64_t n = 100000;
  std::string spool = "/tmp/jobtrail-flush-bench-spool", prefix;
  double deadline_s = 60;
  storage::StoreOptions so;
  app.add_option("--events", n);
  app.add_option("--spool", spool);
  app.add_option("--prefix", prefix, "archive prefix inside the store");
  app.add_option("--deadline", deadline_s);
  bool cold = false;
  app.add_flag("--cold", cold, "hold uploads until finish(): the whole trail is flushed after 'SIGTERM'");
  storage::add_store_flags(app, so);
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);

  auto real_store = storage::open_store(so);
  auto gate = std::make_shared<GateStore>(real_store);
  if (!cold) gate->open();
  std::shared_ptr<storage::Store> store = gate;
  std::atomic<bool> running{true};
  std::atomic<long> peak_kib{0}, peak_finish_kib{0};
  std::atomic<bool> finishing{false};
  std::thread sampler([&] {
    while (running) {
      long r = rss_kib();
      if (r > peak_kib) peak_kib = r;
      if (finishing && r > peak_finish_kib) peak_finish_kib = r;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });

  archive::WriterOptions wo;
  wo.spool_dir = spool;
  archive::Writer w(wo, store, prefix, {{"pod", {{"uid", "bench-" + std::to_string(getpid())}}}});
  std::mt19937_64 rng(42);
  auto t0 = steady::now();
  steady::duration in_append{};
  for (std::uint64_t i = 0; i < n; ++i) {
    auto ev = event(i, rng);
    auto a = steady::now();
    w.append(ev);
    in_append += steady::now() - a;
  }
  auto t1 = steady::now();
  finishing = true;
  gate->open();
  auto res = w.finish(true, "", t1 + std::chrono::milliseconds(static_cast<long>(deadline_s * 1000)));
  auto t2 = steady::now();
  running = false;
  sampler.join();
  auto st = w.stats();

  // Independent check: read back what landed.
  auto rep = archive::verify_archive(*store, prefix);
  double append_s = std::chrono::duration<double>(t1 - t0).count();
  double flush_s = std::chrono::duration<double>(t2 - t1).count();
  std::printf("%s events=%llu segments=%llu compressed_MiB=%.1f flush_s=%.3f complete=%s verify=%s "
              "verified_events=%llu upload_retries=%llu append_rate=%.0f/s (append alone %.0f/s) "
              "rss_peak_MiB=%.1f rss_peak_during_flush_MiB=%.1f\n",
              cold ? "cold" : "warm", static_cast<unsigned long long>(n),
              static_cast<unsigned long long>(st.segments_spooled), st.bytes_spooled / 1048576.0, flush_s,
              res.complete ? "true" : "false", std::string(archive::to_string(rep.verdict())).c_str(),
              static_cast<unsigned long long>(rep.events_checked), static_cast<unsigned long long>(st.upload_retries),
              n / append_s, n / std::chrono::duration<double>(in_append).count(), peak_kib / 1024.0,
              peak_finish_kib / 1024.0);
  return res.complete && rep.verdict() == archive::Verdict::ok ? 0 : 1;
}
