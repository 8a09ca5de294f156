// The archive writer's flush deadline, spool resume and spool bound against the real RGW, with
// the fault proxy failing only the segment uploads (--only /events-) while a flag file exists:
// the manifest and index still land, so what the writer says it could not upload is checked
// against what Debian's awscli finds in the bucket, and the events against what the test appended.
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "tests/storage/proxy_process.hpp"
#include "tests/storage/rgw_env.hpp"
#include "trail/archive/manifest.hpp"
#include "trail/archive/writer.hpp"

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;
using jobtrail::archive::Writer;

namespace {

struct Setup {
  std::string bucket, dir, flag, prefix = "events/dt=2026-12-01/ci/runner-w/uid-w/";
  std::shared_ptr<jobtrail::storage::Store> store;
  std::unique_ptr<rgw::FaultProxy> proxy;

  // faults: what the proxy injects (rate 1) while the flag file exists; by default a 500 on every segment.
  explicit Setup(const std::string& tag, std::vector<std::string> faults = {"--faults", "500", "--only", "/events-"})
      : bucket(rgw::unique_bucket(tag)), dir(rgw::temp_dir() + "/" + tag) {
    fs::remove_all(dir);
    fs::create_directories(dir);
    flag = dir + "/segments-down";
    std::ofstream(flag) << "1";
    rgw::client()->create_bucket(bucket);
    auto e = rgw::env_file();
    ::setenv("AWS_ACCESS_KEY_ID", e.at("AWS_ACCESS_KEY_ID").c_str(), 1);
    ::setenv("AWS_SECRET_ACCESS_KEY", e.at("AWS_SECRET_ACCESS_KEY").c_str(), 1);
    std::vector<std::string> args{"--upstream", rgw::endpoint().substr(7), "--rate", "1", "--while-exists", flag};
    args.insert(args.end(), faults.begin(), faults.end());
    proxy = std::make_unique<rgw::FaultProxy>(args);
    jobtrail::storage::StoreOptions so;
    so.url = "s3://" + bucket + "/trails";
    so.endpoint = "http://127.0.0.1:" + proxy->port();
    so.path_style = true;
    store = jobtrail::storage::open_store(so);
  }
  ~Setup() { fs::remove_all(dir); }
  void segments_back() { fs::remove(flag); }

  jobtrail::archive::WriterOptions options() const {
    jobtrail::archive::WriterOptions wo;
    wo.spool_dir = dir + "/spool";
    wo.segment_max_bytes = 8 << 10;
    wo.retry_base = std::chrono::milliseconds(50);
    wo.retry_max = std::chrono::milliseconds(300);
    return wo;
  }
  nlohmann::json meta() const { return {{"pod", {{"uid", "uid-w"}, {"name", "runner-w"}, {"namespace", "ci"}}}}; }

  // Object names under the archive prefix, as awscli lists them.
  std::set<std::string> listed() const {
    auto [st, out] = rgw::sh(rgw::aws() + "s3 ls --recursive s3://" + bucket + "/trails/" + prefix + " 2>&1");
    std::set<std::string> names;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);)
      if (auto p = line.rfind('/'); p != std::string::npos) names.insert(line.substr(p + 1));
    return names;
  }
  nlohmann::json manifest() const {
    auto got = rgw::sh(rgw::aws() + "s3 cp --only-show-errors s3://" + bucket + "/trails/" + prefix +
                       "_manifest.json - 2>&1");
    const std::string out = got.second;  // doctest's message macros capture in a lambda: no bindings
    auto j = nlohmann::json::parse(out, nullptr, false);
    REQUIRE_MESSAGE(got.first == 0, out);
    REQUIRE_MESSAGE(!j.is_discarded(), out);
    return j;
  }
  // check_archive.py on what awscli downloads: every seq 0..n-1 once, sizes, hashes, chain.
  std::string check_whole(std::uint64_t n) const {
    auto got = rgw::sh(rgw::aws() + "s3 cp --recursive --only-show-errors s3://" + bucket + "/trails/ " + dir +
                       "/down 2>&1");
    const std::string out = got.second;
    REQUIRE_MESSAGE(got.first == 0, out);
    auto [st2, out2] = rgw::sh("python3 " + std::string(JOBTRAIL_SOURCE_DIR) + "/tests/storage/check_archive.py " +
                               dir + "/down " + prefix + " " + std::to_string(n) + " 2>&1");
    return st2 == 0 ? "" : out2;
  }
};

nlohmann::json event(std::uint64_t i) {
  return {{"type", i % 7 ? "file_open" : "process_exec"},
          {"time", "2026-11-29T00:00:00.000000000Z"},
          {"process", {{"pid", 100 + i % 50}, {"binary", "/usr/bin/make"}}},
          {"file", {{"path", "/work/src/file-" + std::to_string(i) + ".c"}}}};
}

std::size_t spooled_segments(const std::string& spool) {
  std::size_t n = 0;
  for (auto& f : fs::recursive_directory_iterator(spool))
    if (jobtrail::archive::parse_segment_name(f.path().filename().string())) ++n;
  return n;
}

}  // namespace

TEST_CASE("writer into rgw: segments that cannot be uploaded by the flush deadline are named in a complete:false manifest") {
  Setup s("deadline");
  Writer w(s.options(), s.store, s.prefix, s.meta());
  for (std::uint64_t i = 0; i < 6000; ++i) {
    auto ev = event(i);
    w.append(ev);
  }
  auto start = clock_type::now();
  auto r = w.finish(true, "", start + std::chrono::milliseconds(2000));
  // The deadline reaches the S3 client's retries of the upload in flight (max_attempts 6, ~10 s
  // of backoff alone): no retry or backoff sleep starts past it, so finish() returns within it
  // plus a margin for the last step under way and a loaded machine, well inside a grace period.
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - start);
  MESSAGE("finish took " << took.count() << " ms for a 2000 ms deadline");
  CHECK(took < std::chrono::milliseconds(2500));
  CHECK_FALSE(r.complete);
  CHECK(r.reason.find("flush deadline") != std::string::npos);
  REQUIRE_FALSE(r.not_uploaded.empty());
  // In the bucket: the manifest (and nothing else of the archive: no segment got through).
  auto names = s.listed();
  CHECK(names == std::set<std::string>{"_manifest.json"});
  auto m = s.manifest();
  CHECK(m["complete"] == false);
  CHECK(m["events"] == 6000);
  std::set<std::string> declared(m["not_uploaded"].begin(), m["not_uploaded"].end());
  std::set<std::string> segments;
  for (auto& seg : m["segments"]) segments.insert(seg["name"].get<std::string>());
  CHECK(declared == segments);
  CHECK(declared == std::set<std::string>(r.not_uploaded.begin(), r.not_uploaded.end()));
  // They stay in the spool for a writer that comes after.
  CHECK(spooled_segments(s.options().spool_dir) == segments.size());
}

TEST_CASE("writer into rgw: a writer restarted on the spool resumes the segments an earlier one never uploaded") {
  Setup s("resume");
  {
    Writer crashed(s.options(), s.store, s.prefix, s.meta());
    for (std::uint64_t i = 0; i < 7000; ++i) {
      auto ev = event(i);
      crashed.append(ev);
    }
    crashed.tick(clock_type::now() + std::chrono::seconds(2));  // the open segment is flushed to disk
  }  // no finish: the pod died
  CHECK(s.listed().empty());
  s.segments_back();
  Writer w(s.options(), s.store, s.prefix, s.meta());
  CHECK(w.stats().segments_resumed > 0);
  for (std::uint64_t i = 7000; i < 9000; ++i) {
    auto ev = event(i);
    CHECK(w.append(ev) == i);  // the trail continues where the crashed writer stopped
  }
  auto r = w.finish(true, "", clock_type::now() + std::chrono::seconds(60));
  CHECK(r.complete);
  CHECK(r.not_uploaded.empty());
  auto bad = s.check_whole(9000);
  CHECK_MESSAGE(bad.empty(), bad);
  auto m = s.manifest();
  REQUIRE(m["resumed"].size() == 1);
  CHECK(m["resumed"][0]["salvaged_events"].get<std::uint64_t>() > 0);
}

TEST_CASE("writer into rgw: at the spool bound events are dropped and counted and the rest arrives once") {
  Setup s("spoolbound");
  auto o = s.options();
  o.spool_max_bytes = 100 << 10;
  Writer w(o, s.store, s.prefix, s.meta());
  const std::uint64_t n = 50'000;
  std::uint64_t dropped = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    auto ev = event(i);
    if (w.append(ev) == Writer::dropped) ++dropped;
  }
  CHECK(dropped > 0);
  CHECK(dropped < n);
  CHECK(w.stats().spool_full_hits == 1);
  s.segments_back();
  auto r = w.finish(true, "", clock_type::now() + std::chrono::seconds(60));
  CHECK(r.complete);
  auto bad = s.check_whole(n - dropped);
  CHECK_MESSAGE(bad.empty(), bad);
  auto m = s.manifest();
  std::uint64_t lost = 0;
  for (auto& [t, v] : m["lost"].items()) lost += v.get<std::uint64_t>();
  CHECK(lost == dropped);
  CHECK(m["spool_dropped"] == dropped);
}

TEST_CASE("writer into rgw: a segment the store refuses (403) is given up while the later ones upload") {
  Setup s("refused", {"--faults", "403", "--only", "/events-000001."});
  Writer w(s.options(), s.store, s.prefix, s.meta());
  for (std::uint64_t i = 0; i < 6000; ++i) {
    auto ev = event(i);
    w.append(ev);
  }
  const auto spooled = w.stats().segments_spooled;
  REQUIRE(spooled >= 3);
  // Bounded: the others go through while the job runs, not behind the refused one.
  auto until = clock_type::now() + std::chrono::seconds(20);
  while (clock_type::now() < until && (w.stats().segments_uploaded + 1 < spooled || w.stats().objects_given_up == 0))
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK(w.stats().segments_uploaded == spooled - 1);
  CHECK(w.stats().objects_given_up == 1);
  auto r = w.finish(true, "", clock_type::now() + std::chrono::seconds(10));
  CHECK_FALSE(r.complete);
  CHECK(r.not_uploaded == std::vector<std::string>{"events-000001.jsonl.zst"});
  auto names = s.listed();
  CHECK(names.count("events-000000.jsonl.zst") == 1);
  CHECK(names.count("events-000001.jsonl.zst") == 0);
  CHECK(names.count("events-000002.jsonl.zst") == 1);
  auto m = s.manifest();
  CHECK(m["complete"] == false);
  REQUIRE(m["failed_objects"].size() == 1);
  CHECK(m["failed_objects"][0]["key"] == s.prefix + "events-000001.jsonl.zst");
  CHECK(m["failed_objects"][0]["error"].get<std::string>().find("AccessDenied") != std::string::npos);
  CHECK(m["failed_objects"][0]["attempts"] == 3);
}

TEST_CASE("writer into rgw: an index key longer than S3 allows is given up and the archive stays complete") {
  Setup s("longkey");
  s.segments_back();  // no injected faults: RGW itself refuses the key
  Writer w(s.options(), s.store, s.prefix, s.meta());
  w.set_job_identity({{"repository", "octo/hello"}, {"run_id", "7"}, {"job", std::string(1100, 'j')}});
  for (std::uint64_t i = 0; i < 3000; ++i) {
    auto ev = event(i);
    w.append(ev);
  }
  // Given up while the job runs (3 quick refusals), so its `lost` event is in the trail.
  auto until = clock_type::now() + std::chrono::seconds(20);
  while (clock_type::now() < until && (w.stats().objects_given_up == 0 || w.stats().events < 3001))
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto r = w.finish(true, "", clock_type::now() + std::chrono::seconds(20));
  CHECK(r.complete);  // every segment and the manifest are in the store; only the index is not
  auto m = s.manifest();
  CHECK(m["complete"] == true);
  REQUIRE(m["failed_objects"].size() == 1);
  const std::string key = m["failed_objects"][0]["key"];
  CHECK(key.size() > 1024);
  MESSAGE("RGW answered: " << m["failed_objects"][0]["error"].get<std::string>());
  // The trail says so too: the 3,000 events and one `lost` event naming the index object.
  CHECK(m["event_counts"]["lost"] == 1);
  auto bad = s.check_whole(3001);
  CHECK_MESSAGE(bad.empty(), bad);
}
