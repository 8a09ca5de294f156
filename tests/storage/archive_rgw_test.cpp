// End to end at the library level: the archive Writer streams a job's trail into RGW through
// S3Store (directly, and through the fault proxy), then Debian's awscli downloads it and
// check_archive.py (Python + zstd CLI, no jobtrail code) checks every event is there exactly
// once, the hashes match the manifest and the index object resolves.
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/storage/proxy_process.hpp"
#include "tests/storage/rgw_env.hpp"
#include "trail/archive/writer.hpp"

namespace fs = std::filesystem;

namespace {
void record_and_check(const std::string& endpoint, const std::string& tag) {
  auto e = rgw::env_file();
  std::string bucket = rgw::unique_bucket(tag);
  rgw::client()->create_bucket(bucket);
  ::setenv("AWS_ACCESS_KEY_ID", e.at("AWS_ACCESS_KEY_ID").c_str(), 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", e.at("AWS_SECRET_ACCESS_KEY").c_str(), 1);
  jobtrail::storage::StoreOptions so;
  so.url = "s3://" + bucket + "/trails";
  so.endpoint = endpoint;
  so.path_style = true;
  auto store = jobtrail::storage::open_store(so);

  std::string dir = rgw::temp_dir() + "/" + tag;
  fs::create_directories(dir);
  jobtrail::archive::WriterOptions wo;
  wo.spool_dir = dir + "/spool";
  wo.segment_max_bytes = 8 << 10;  // many segments
  wo.retry_base = std::chrono::milliseconds(50);
  wo.retry_max = std::chrono::milliseconds(500);
  const std::string prefix = "events/dt=2026-12-01/ci/runner-abc/uid-" + tag + "/";
  nlohmann::json meta = {{"pod", {{"uid", "uid-" + tag}, {"name", "runner-abc"}, {"namespace", "ci"}}}};
  const int n = 20'000;
  {
    jobtrail::archive::Writer w(wo, store, prefix, meta);
    w.set_job_identity({{"repository", "octo/hello"}, {"run_id", "42"}, {"run_attempt", "1"}, {"job", "build"}});
    for (int i = 0; i < n; ++i) {
      nlohmann::json ev = {{"type", i % 7 ? "file_open" : "process_exec"},
                           {"time", "2026-11-29T00:00:00.000000000Z"},
                           {"process", {{"pid", 100 + i % 50}, {"binary", "/usr/bin/make"}, {"exec_id", "x"}}},
                           {"file", {{"path", "/work/src/file-" + std::to_string(i) + ".c"}}}};
      w.append(ev);
      if (i % 2000 == 0) w.tick(std::chrono::steady_clock::now());
    }
    auto r = w.finish(true, "", std::chrono::steady_clock::now() + std::chrono::seconds(90));
    INFO(r.reason);
    REQUIRE(r.complete);
    CHECK(r.not_uploaded.empty());
  }
  auto [st, out] = rgw::sh(rgw::aws() + "s3 cp --recursive --only-show-errors s3://" + bucket + "/trails/ " + dir +
                           "/down 2>&1");
  const std::string& out_text = out;  // INFO captures in a lambda: no structured bindings (clang 14)
  INFO(out_text);
  REQUIRE(st == 0);
  auto [st2, out2] = rgw::sh("python3 " + std::string(JOBTRAIL_SOURCE_DIR) + "/tests/storage/check_archive.py " +
                             dir + "/down " + prefix + " " + std::to_string(n) +
                             " jobs/octo/hello/42/1/build/uid-" + tag + ".json 2>&1");
  const std::string& out2_text = out2;  // INFO captures in a lambda: no structured bindings (clang 14)
  INFO(out2_text);
  CHECK(st2 == 0);
  CHECK(out2.find(std::to_string(n) + " events") != std::string::npos);
  fs::remove_all(dir);
}
}  // namespace

TEST_CASE("archive into rgw: writer -> S3Store -> RGW / read back with awscli / every event once") {
  record_and_check(rgw::endpoint(), "arch");
}

TEST_CASE("archive into rgw through the fault proxy: still whole") {
  std::string stats = rgw::temp_dir() + "/archive-proxy-stats.json";
  rgw::FaultProxy proxy({"--upstream", rgw::endpoint().substr(7), "--rate", "0.25", "--seed", "3", "--stall", "2",
                         "--faults", "reset,500,slowdown,stall,lost-reply", "--stats", stats});
  record_and_check("http://127.0.0.1:" + proxy.port(), "archflaky");
  auto s = nlohmann::json::parse(std::ifstream(stats));
  INFO("proxy stats " << s.dump());
  CHECK(s["requests"].get<int>() > 20);
  CHECK(s["reset"].get<int>() + s["500"].get<int>() + s["slowdown"].get<int>() + s["stall"].get<int>() +
            s["lost-reply"].get<int>() > 3);
}
