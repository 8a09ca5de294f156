// The S3 client through trouble: a fault-injecting proxy between it and RGW (resets, 500s,
// 503 SlowDown, stalls, replies lost after RGW acted), and a real RGW outage (radosgw stopped
// for 30 s, mon and osd kept). Afterwards every object is checked against RGW directly.
#include <atomic>
#include <deque>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "tests/storage/proxy_process.hpp"
#include "tests/storage/rgw_env.hpp"
#include "trail/s3/crypto.hpp"

namespace fs = std::filesystem;
using jobtrail::storage::StoreError;

namespace {
std::string body_for(int i) {
  std::mt19937 rng(static_cast<unsigned>(i));
  std::string s(1000 + (rng() % 50'000), '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

std::string upstream_of(const std::string& endpoint) {  // "http://127.0.0.1:P" -> "127.0.0.1:P"
  return endpoint.substr(endpoint.find("//") + 2);
}

// Every key under prefix, read through a fresh client straight to RGW: exact set and bytes.
void check_exactly(const std::string& bucket, const std::map<std::string, std::string>& expected) {
  auto direct = rgw::client();
  auto listed = direct->list_objects(bucket, "");
  std::set<std::string> keys;
  for (const auto& o : listed) keys.insert(o.key);
  CHECK(listed.size() == expected.size());  // nothing duplicated, nothing extra
  CHECK(keys.size() == expected.size());
  for (const auto& [key, v] : expected) {
    const std::string& k = key;  // INFO captures in a lambda: no structured bindings (clang 14)
    INFO("key " << k);
    REQUIRE(keys.count(k) == 1);  // nothing lost
    CHECK(jobtrail::s3::sha256_hex(direct->get_object(bucket, k)) == jobtrail::s3::sha256_hex(v));
  }
}
}  // namespace

TEST_CASE("s3 faults: uploads arrive whole through resets / 500s / SlowDown / stalls and lost replies") {
  std::string stats = rgw::temp_dir() + "/proxy-stats.json";
  rgw::FaultProxy proxy({"--upstream", upstream_of(rgw::endpoint()), "--rate", "0.3", "--seed", "7", "--stall",
                         "3", "--stats", stats});
  auto o = rgw::options_for("http://127.0.0.1:" + proxy.port());
  o.timeouts.io = std::chrono::milliseconds(1500);  // a stall becomes a timeout quickly
  o.max_attempts = 12;
  o.part_size = 5ull << 20;
  o.multipart_threshold = 6ull << 20;
  jobtrail::s3::S3Client c(o, std::make_shared<jobtrail::s3::StaticProvider>(rgw::good_credentials(), "test"));
  std::string bucket = rgw::unique_bucket("faults");
  rgw::client()->create_bucket(bucket);

  std::map<std::string, std::string> expected;
  for (int i = 0; i < 60; ++i) {
    std::string key = "pods/ns/pod/uid/events-" + std::to_string(i) + ".jsonl.zst";
    expected[key] = body_for(i);
    c.put_object(bucket, key, expected[key], "application/zstd", true);
  }
  // two multipart files through the same trouble
  std::string dir = rgw::temp_dir();
  for (int i = 0; i < 2; ++i) {
    std::string big = body_for(1000 + i);
    while (big.size() < (11u << 20)) big += big;
    std::string key = "big/" + std::to_string(i);
    std::ofstream(dir + "/big" + std::to_string(i), std::ios::binary) << big;
    c.put_file(bucket, key, dir + "/big" + std::to_string(i), "application/octet-stream", true);
    expected[key] = big;
  }
  // and reads and listings work through it too
  CHECK(c.get_object(bucket, "pods/ns/pod/uid/events-5.jsonl.zst") == expected["pods/ns/pod/uid/events-5.jsonl.zst"]);
  CHECK(c.list_objects(bucket, "pods/").size() == 60);

  check_exactly(bucket, expected);
  auto s = nlohmann::json::parse(std::ifstream(stats));
  INFO("proxy stats " << s.dump());
  for (const char* f : {"reset", "500", "slowdown", "stall", "lost-reply"}) CHECK(s[f].get<int>() > 0);
  CHECK(c.counters().retries.load() > 0);
  auto [st, uploads] = rgw::sh(rgw::aws() + "s3api list-multipart-uploads --bucket " + bucket + " --output json");
  CHECK(uploads.find("UploadId") == std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("s3 faults: a 30 s RGW outage during a stream of uploads loses and duplicates nothing") {
  const std::string rgw_sh = rgw::rgw_sh(), state = rgw::state_dir();
  auto o = rgw::options_for(rgw::endpoint());
  o.timeouts.connect = std::chrono::milliseconds(1000);
  o.timeouts.io = std::chrono::milliseconds(3000);
  o.max_attempts = 4;  // give up quickly; the caller keeps the object queued, like the spool
  jobtrail::s3::S3Client c(o, std::make_shared<jobtrail::s3::StaticProvider>(rgw::good_credentials(), "test"));
  std::string bucket = rgw::unique_bucket("outage");
  rgw::client()->create_bucket(bucket);

  std::map<std::string, std::string> expected;
  std::atomic<bool> producing{true};
  std::atomic<int> gave_up{0};
  std::thread uploader([&] {
    std::deque<std::string> queue;  // keys waiting, oldest first (the spool)
    int next = 0;
    auto start = std::chrono::steady_clock::now();
    while (producing || !queue.empty()) {
      if (producing && std::chrono::steady_clock::now() - start > std::chrono::milliseconds(200) * next) {
        std::string key = "seg-" + std::to_string(next);
        expected[key] = body_for(next++);
        queue.push_back(key);
      }
      if (queue.empty()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        continue;
      }
      try {
        c.put_object(bucket, queue.front(), expected[queue.front()], "application/zstd", true);
        queue.pop_front();
      } catch (const StoreError& e) {
        if (!e.retryable()) throw;
        gave_up++;
      }
    }
  });
  std::this_thread::sleep_for(std::chrono::seconds(3));
  auto [st1, o1] = rgw::sh(rgw_sh + " stop-rgw " + state + " 2>&1");
  CHECK(st1 == 0);
  std::this_thread::sleep_for(std::chrono::seconds(30));
  auto [st2, o2] = rgw::sh(rgw_sh + " start-rgw " + state + " 2>&1");
  const std::string& o2_text = o2;  // INFO captures in a lambda: no structured bindings (clang 14)
  INFO(o2_text);
  CHECK(st2 == 0);
  std::this_thread::sleep_for(std::chrono::seconds(3));
  producing = false;
  uploader.join();
  CHECK(gave_up.load() > 0);  // the outage was real
  CHECK(expected.size() > 150);
  check_exactly(bucket, expected);
}
