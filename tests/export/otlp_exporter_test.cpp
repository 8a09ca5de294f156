// The OTLP/HTTP log exporter (sidecar/otlp_exporter.*): its pure parts, and the real exporter
// against a python3 receiver (otlp_receiver.py) this test starts on 127.0.0.1.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "sidecar/otlp_exporter.hpp"

using nlohmann::json;
using namespace jobtrail::sidecar;
namespace fs = std::filesystem;

namespace {

// The receiver as a child process: started in the constructor, stopped in the destructor.
class Receiver {
 public:
  explicit Receiver(std::vector<std::string> extra = {}) {
    dir_ = fs::temp_directory_path() / ("otlp-test-" + std::to_string(getpid()) + "-" + std::to_string(++count_));
    fs::create_directories(dir_);
    const std::string script = std::string(JOBTRAIL_SOURCE_DIR) + "/tests/export/otlp_receiver.py";
    std::vector<std::string> args = {"python3", script, (dir_ / "port").string(), (dir_ / "out.jsonl").string()};
    args.insert(args.end(), extra.begin(), extra.end());
    pid_ = fork();
    if (pid_ == 0) {
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execvp(argv[0], argv.data());
      _exit(127);
    }
    for (int i = 0; i < 100 && !fs::exists(dir_ / "port"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::ifstream(dir_ / "port") >> port_;
    REQUIRE(port_ > 0);
  }
  ~Receiver() {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1/logs"; }
  std::vector<json> received() const {
    std::vector<json> out;
    std::ifstream in(dir_ / "out.jsonl");
    for (std::string line; std::getline(in, line);) out.push_back(json::parse(line));
    return out;
  }

 private:
  static inline int count_ = 0;
  fs::path dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

OtlpResource pod() { return {"runner-abc", "ci", "uid-1", "node-1", "0.1.0"}; }

json exec_event(std::uint64_t seq) {
  return {{"type", "process_exec"}, {"time", "2026-11-29T10:00:03.000000001Z"}, {"seq", seq},
          {"process", {{"pid", 300 + seq}, {"binary", "/usr/bin/curl"}, {"args", {"curl", "\xff"}}}}};
}

json identity_event() {
  return {{"type", "job_identity"}, {"time", "2026-11-29T10:00:02Z"}, {"seq", 0},
          {"job", {{"GITHUB_REPOSITORY", "octo/hello"}, {"GITHUB_RUN_ID", "42"}, {"GITHUB_WORKFLOW", "ci"}, {"GITHUB_JOB", "build"}}}};
}

}  // namespace

TEST_CASE("otlp: endpoint URLs") {
  auto u = parse_http_url("http://collector:4318/v1/logs");
  REQUIRE(u);
  CHECK(u->host == "collector");
  CHECK(u->port == "4318");
  CHECK(u->target == "/v1/logs");
  CHECK(parse_http_url("http://[::1]:4318/v1/logs")->host == "::1");
  CHECK(parse_http_url("http://otel/v1/logs")->port == "80");
  CHECK_FALSE(parse_http_url("https://collector:4318/v1/logs"));
  CHECK_FALSE(parse_http_url("http://:4318/v1/logs"));
  CHECK_FALSE(parse_http_url("http://c:99999/v1/logs"));
  CHECK_FALSE(parse_http_url("http://c:43x8/v1/logs"));
  CHECK_FALSE(parse_http_url("http://c:4318/v1/logs\r\nX-Evil: 1"));
  CHECK_THROWS_AS(make_otlp_exporter("ftp://x/", pod(), jobtrail::events::StreamScope::story), std::invalid_argument);
}

TEST_CASE("otlp: a log record and the resource") {
  json ev = {{"type", "finding"}, {"time", "2026-11-29T10:00:03.5Z"}, {"seq", 9}, {"finding", {{"severity", "critical"}}}};
  json r = otlp_log_record(ev, ev.dump(), 7);
  CHECK(r["timeUnixNano"] == "1795946403500000000");
  CHECK(r["observedTimeUnixNano"] == "7");
  CHECK(r["severityNumber"] == 17);
  CHECK(r["body"]["stringValue"] == ev.dump());
  CHECK(r["attributes"][0] == json({{"key", "event.name"}, {"value", {{"stringValue", "finding"}}}}));
  CHECK(r["attributes"][1]["value"]["intValue"] == "9");
  json res = otlp_resource(pod(), identity_event()["job"]);
  std::set<std::string> keys;
  for (auto& a : res["attributes"]) keys.insert(a["key"].get<std::string>());
  for (const char* k : {"service.name", "k8s.pod.name", "k8s.namespace.name", "k8s.pod.uid", "k8s.node.name", "cicd.pipeline.run.id",
                        "cicd.pipeline.name", "cicd.pipeline.task.name", "vcs.repository.name"})
    CHECK_MESSAGE(keys.count(k), k);
  CHECK(json::parse(otlp_request_body(res, r.dump(), "0.1.0"))["resourceLogs"][0]["scopeLogs"][0]["logRecords"].size() == 1);
}

TEST_CASE("otlp: every event in the stream's scope reaches the receiver once, with the job's identity") {
  Receiver rx;
  OtlpLimits lim;
  lim.batch_records = 50;
  auto x = make_otlp_exporter(rx.url(), pod(), jobtrail::events::StreamScope::story, lim);
  std::vector<json> derived;
  x->on_event(identity_event(), derived);
  for (std::uint64_t i = 1; i <= 300; ++i) x->on_event(exec_event(i), derived);
  x->on_event(json{{"type", "file_open"}, {"time", "2026-11-29T10:00:04Z"}, {"file", {{"path", "/tmp/x"}}}}, derived);
  x->on_finish(derived);
  CHECK(derived.empty());
  CHECK(otlp_counts(*x).exported == 301);
  CHECK(otlp_counts(*x).dropped == 0);
  auto got = rx.received();
  REQUIRE(got.size() == 301);
  std::set<std::uint64_t> seqs;
  for (auto& r : got) {
    REQUIRE_FALSE(r.contains("error"));
    seqs.insert(r["body"]["seq"].get<std::uint64_t>());
    CHECK(r["resource"]["k8s.pod.name"] == "runner-abc");
    CHECK(r["resource"]["cicd.pipeline.run.id"] == "42");
    CHECK(r["event"] != "file_open");  // outside the story scope, as on stdout
  }
  CHECK(seqs.size() == 301);
  CHECK(got.back()["body"]["process"]["args"][1] == "\xef\xbf\xbd");  // a byte that is not UTF-8 became U+FFFD
}

TEST_CASE("otlp: a receiver that does not accept makes the records count as dropped") {
  Receiver rx({"--status", "503"});
  auto x = make_otlp_exporter(rx.url(), pod(), jobtrail::events::StreamScope::all);
  std::vector<json> derived;
  for (std::uint64_t i = 1; i <= 20; ++i) x->on_event(exec_event(i), derived);
  x->on_finish(derived);
  CHECK(otlp_counts(*x).exported == 0);
  CHECK(otlp_counts(*x).dropped == 20);
  CHECK(rx.received().size() == 20);  // they did arrive: the status said no
}

TEST_CASE("otlp: a receiver that hangs never slows the pipeline; what does not fit is dropped and counted") {
  Receiver rx({"--delay", "3"});
  OtlpLimits lim;
  lim.queue_records = 100;
  lim.batch_records = 10;
  lim.request_timeout_ms = 500;
  lim.finish_deadline_ms = 300;
  auto x = make_otlp_exporter(rx.url(), pod(), jobtrail::events::StreamScope::all, lim);
  std::vector<json> derived;
  const auto start = std::chrono::steady_clock::now();
  for (std::uint64_t i = 1; i <= 2000; ++i) x->on_event(exec_event(i), derived);
  const auto took = std::chrono::steady_clock::now() - start;
  // An exporter that waited for the receiver would spend 200 batches x 0.5 s here; appending to
  // the queue is microseconds per event (a loaded, sanitized build: well under a second).
  CHECK(took < std::chrono::seconds(5));
  x->on_finish(derived);
  const auto c = otlp_counts(*x);
  CHECK(c.exported == 0);
  CHECK(c.dropped == 2000);  // the queue's overflow, the batches that timed out, the rest at the deadline
}
