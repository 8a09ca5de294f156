// What the per-job summary row costs the sidecar: the fold over every archived event (per event),
// and at finish building the row and writing it to a folder store, for an ordinary job and for
// a hostile one that maxes out every table of the fold and every string of the row.
//   fleet_row_bench [ROUNDS]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "trail/archive/layout.hpp"
#include "trail/storage/local_store.hpp"
#include "trail/summary/job_row.hpp"

using nlohmann::json;
using clock_type = std::chrono::steady_clock;

namespace {

std::vector<json> job_events(bool hostile) {
  std::vector<json> evs;
  const int execs = hostile ? 20'000 : 2'000, hosts = hostile ? 5'000 : 12;
  const std::string pad = hostile ? std::string(3000, 'x') : "";
  for (int i = 0; i < execs; ++i) {
    std::string bin = hostile ? "/tmp/" + pad + std::to_string(i) : "/usr/bin/tool" + std::to_string(i % 40);
    json proc = {{"pid", 100 + i}, {"exec_id", i + 1}, {"binary", bin}, {"args", {bin, "-c", "x"}}};
    evs.push_back({{"type", "process_exec"}, {"time", "2026-12-01T10:00:01.000000000Z"}, {"process", proc}});
    evs.push_back({{"type", "process_exit"}, {"time", "2026-12-01T10:00:02.000000000Z"}, {"process", proc},
                   {"exit", {{"code", 0}, {"signal", nullptr}}}});
    evs.push_back({{"type", "file_open"}, {"time", "2026-12-01T10:00:01.500000000Z"}, {"process", proc},
                   {"file", {{"path", "/home/runner/_work/src/f" + std::to_string(i % 300)}, {"mode", {"read"}}, {"result", "ok"}}}});
  }
  for (int i = 0; i < hosts; ++i) {
    auto addr = "10." + std::to_string(i / 256 % 256) + "." + std::to_string(i % 256) + ".1";
    auto name = (hostile ? pad.substr(0, 240) : std::string("host")) + std::to_string(i) + ".example";
    json proc = {{"pid", 100}, {"exec_id", 1}, {"binary", "/usr/bin/curl"}};
    evs.push_back({{"type", "dns_answer"}, {"time", "2026-12-01T10:00:03.000000000Z"}, {"process", proc},
                   {"dns", {{"name", name}, {"qtype", "A"}, {"answers", {{{"name", name}, {"type", "A"}, {"data", addr}}}}}}});
    evs.push_back({{"type", "net_close"}, {"time", "2026-12-01T10:00:04.000000000Z"}, {"process", proc},
                   {"net", {{"protocol", "tcp"}, {"dst_addr", addr}, {"dst_port", 443}, {"bytes_sent", 100 + i}, {"bytes_received", 1000 + i}}}});
  }
  for (int i = 0; i < (hostile ? 2000 : 3); ++i)
    evs.push_back({{"type", "finding"}, {"time", "2026-12-01T10:00:05.000000000Z"},
                   {"process", {{"pid", 100}, {"exec_id", 1}, {"binary", "/usr/bin/curl"}}},
                   {"finding", {{"id", (hostile ? pad.substr(0, 500) : std::string("rule")) + std::to_string(i)}, {"severity", "high"}}}});
  return evs;
}

jobtrail::archive::Manifest manifest_of(std::size_t events) {
  jobtrail::archive::Manifest m;
  m.archive_id = "uid-bench";
  m.archive_prefix = jobtrail::archive::archive_prefix("ci", "runner", "uid-bench", "2026-12-01");
  m.meta = {{"pod", {{"uid", "uid-bench"}, {"name", "runner"}, {"namespace", "ci"}}}};
  m.job_identity = {{"GITHUB_REPOSITORY", "octo/hello"}, {"GITHUB_RUN_ID", "42"}, {"GITHUB_JOB", "build"}, {"GITHUB_WORKFLOW", "CI"}};
  m.started_at = "2026-12-01T10:00:00.000000000Z";
  m.ended_at = "2026-12-01T10:05:00.000000000Z";
  m.complete = true;
  m.events = events;
  return m;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
  const auto dir = std::filesystem::temp_directory_path() / ("jobtrail-row-bench-" + std::to_string(::getpid()));
  for (bool hostile : {false, true}) {
    auto evs = job_events(hostile);
    std::vector<double> per_event_us, build_ms, write_ms;
    std::size_t bytes = 0;
    for (int r = 0; r < rounds; ++r) {
      std::filesystem::remove_all(dir);
      auto store = std::make_shared<jobtrail::storage::LocalStore>(dir);
      jobtrail::summary::JobRowFold fold;
      auto t0 = clock_type::now();
      for (auto& ev : evs) fold.add(ev);
      auto t1 = clock_type::now();
      auto m = manifest_of(evs.size());
      auto line = jobtrail::summary::job_row_line(fold.row(m));
      auto t2 = clock_type::now();
      store->put_new(jobtrail::archive::summary_key(m.archive_id, m.started_at), line, "application/json");
      auto t3 = clock_type::now();
      per_event_us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count() / static_cast<double>(evs.size()));
      build_ms.push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());
      write_ms.push_back(std::chrono::duration<double, std::milli>(t3 - t2).count());
      bytes = line.size();
    }
    // The two halves of the build: the fold's result, then the row from it.
    jobtrail::summary::Builder builder(jobtrail::summary::row_fold_limits());
    for (auto& ev : evs) builder.add(ev);
    auto m = manifest_of(evs.size());
    builder.add_manifest(m);
    auto r0 = clock_type::now();
    auto summary = builder.result();
    auto r1 = clock_type::now();
    auto row = jobtrail::summary::job_row(summary, m);
    auto r2 = clock_type::now();
    std::printf("%-8s job: fold result %.2f ms, row from it %.2f ms\n", hostile ? "hostile" : "ordinary",
                std::chrono::duration<double, std::milli>(r1 - r0).count(),
                std::chrono::duration<double, std::milli>(r2 - r1).count());
    std::printf("%-8s job: %6zu events  fold %.2f us/event  row %5zu bytes  at finish: build %.2f ms + write %.2f ms"
                "  (medians of %d)\n",
                hostile ? "hostile" : "ordinary", evs.size(), median(per_event_us), bytes, median(build_ms),
                median(write_ms), rounds);
  }
  std::filesystem::remove_all(dir);
  return 0;
}
