// Upload and download throughput of the S3 client: W workers share one S3Client (one keep-alive
// connection each) and put N objects of SIZE bytes from files (segments as the archive writer
// sends them), then get them back to files; plus one multipart file. Prints MB/s and peak RSS.
//   s3_throughput_bench ENDPOINT BUCKET [objects=64] [size_mib=8] [workers=4] [multipart_mib=256]
// Credentials from the usual chain (AWS_ACCESS_KEY_ID/...).
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "trail/s3/s3_store.hpp"

using namespace jobtrail;
namespace fs = std::filesystem;
using clk = std::chrono::steady_clock;

static double seconds_since(clk::time_point t) { return std::chrono::duration<double>(clk::now() - t).count(); }
static long peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s ENDPOINT BUCKET [objects] [size_mib] [workers] [multipart_mib]\n", argv[0]);
    return 2;
  }
  const std::string endpoint = argv[1], bucket = argv[2];
  const int objects = argc > 3 ? std::stoi(argv[3]) : 64;
  const std::uint64_t size = (argc > 4 ? std::stoull(argv[4]) : 8) << 20;
  const int workers = argc > 5 ? std::stoi(argv[5]) : 4;
  const std::uint64_t mp_size = (argc > 6 ? std::stoull(argv[6]) : 256) << 20;

  storage::StoreOptions so;
  so.endpoint = endpoint;
  so.path_style = true;
  auto creds = s3::default_credentials(so.region, {});
  auto client = std::make_shared<s3::S3Client>(s3::client_options(so), creds);
  try {
    client->create_bucket(bucket);
  } catch (const storage::StoreError& e) {
    std::fprintf(stderr, "create bucket: %s (continuing)\n", e.what());
  }

  fs::path dir = fs::temp_directory_path() / ("s3bench-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  {
    std::mt19937_64 rng(1);
    std::string block(1 << 20, '\0');
    for (auto& c : block) c = static_cast<char>(rng());
    std::ofstream seg(dir / "segment", std::ios::binary);
    for (std::uint64_t i = 0; i < size >> 20; ++i) seg << block;
    std::ofstream big(dir / "big", std::ios::binary);
    for (std::uint64_t i = 0; i < mp_size >> 20; ++i) big << block;
  }
  const std::string run = std::to_string(::getpid());

  auto parallel = [&](auto&& op) {
    std::atomic<int> next{0};
    std::vector<std::thread> ts;
    for (int w = 0; w < workers; ++w)
      ts.emplace_back([&] {
        for (int i; (i = next++) < objects;) op(i);
      });
    for (auto& t : ts) t.join();
  };

  auto t0 = clk::now();
  parallel([&](int i) {
    client->put_file(bucket, "bench/" + run + "/seg-" + std::to_string(i), dir / "segment", "application/zstd", true);
  });
  double put_s = seconds_since(t0);
  t0 = clk::now();
  parallel([&](int i) {
    fs::path out = dir / ("get-" + std::to_string(i));
    client->get_object_to_file(bucket, "bench/" + run + "/seg-" + std::to_string(i), out);
    fs::remove(out);
  });
  double get_s = seconds_since(t0);
  t0 = clk::now();
  client->put_file(bucket, "bench/" + run + "/big", dir / "big", "application/octet-stream", true);
  double mp_s = seconds_since(t0);
  t0 = clk::now();
  auto listed = client->list_objects(bucket, "bench/" + run + "/");
  double list_s = seconds_since(t0);

  const double mib = static_cast<double>(objects) * static_cast<double>(size) / (1 << 20);
  std::printf("PUT  %d x %llu MiB, %d workers: %.2f s, %.1f MiB/s, %.1f objects/s\n", objects,
              static_cast<unsigned long long>(size >> 20), workers, put_s, mib / put_s, objects / put_s);
  std::printf("GET  %d x %llu MiB, %d workers: %.2f s, %.1f MiB/s\n", objects,
              static_cast<unsigned long long>(size >> 20), workers, get_s, mib / get_s);
  std::printf("PUT  multipart %llu MiB (parts of %llu MiB, one stream): %.2f s, %.1f MiB/s\n",
              static_cast<unsigned long long>(mp_size >> 20),
              static_cast<unsigned long long>(client->options().part_size >> 20), mp_s,
              static_cast<double>(mp_size >> 20) / mp_s);
  std::printf("LIST %zu objects: %.3f s\n", listed.size(), list_s);
  std::printf("requests %llu, retries %llu, peak RSS %ld MiB\n",
              static_cast<unsigned long long>(client->counters().requests.load()),
              static_cast<unsigned long long>(client->counters().retries.load()), peak_rss_mib());
  fs::remove_all(dir);
  return 0;
}
