// The S3 client against a real Ceph RGW, cross-checked with Debian's awscli.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "tests/storage/rgw_env.hpp"
#include "trail/s3/crypto.hpp"

namespace fs = std::filesystem;
using jobtrail::storage::StoreError;

namespace {
std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}
void write_file(const fs::path& p, const std::string& data) {
  std::ofstream(p, std::ios::binary) << data;
}
}  // namespace

TEST_CASE("s3 rgw: put / get / list round trip - awscli sees the same bytes") {
  auto c = rgw::client();
  std::string bucket = rgw::unique_bucket("rt");
  c->create_bucket(bucket);
  std::string body = random_bytes(100'000, 1);
  c->put_object(bucket, "pods/ns/pod/uid/events-000000.jsonl.zst", body, "application/zstd", true);
  CHECK(c->get_object(bucket, "pods/ns/pod/uid/events-000000.jsonl.zst") == body);

  // awscli downloads it independently: same SHA-256
  std::string dir = rgw::temp_dir();
  auto [st, out] = rgw::sh(rgw::aws() + "s3 cp s3://" + bucket + "/pods/ns/pod/uid/events-000000.jsonl.zst " + dir +
                           "/via-awscli 2>&1");
  const std::string& out_text = out;  // INFO captures in a lambda: no structured bindings (clang 14)
  INFO(out_text);
  REQUIRE(st == 0);
  CHECK(jobtrail::s3::digests_of_file_range(dir + "/via-awscli", 0, body.size()).sha256_hex ==
        jobtrail::s3::sha256_hex(body));

  // and an object awscli uploaded is read back by us
  write_file(dir + "/from-awscli", "written by awscli\n");
  auto [st2, out2] = rgw::sh(rgw::aws() + "s3 cp " + dir + "/from-awscli s3://" + bucket + "/x/from-awscli 2>&1");
  const std::string& out2_text = out2;  // INFO captures in a lambda: no structured bindings (clang 14)
  INFO(out2_text);
  REQUIRE(st2 == 0);
  CHECK(c->get_object(bucket, "x/from-awscli") == "written by awscli\n");
  fs::remove_all(dir);
}

TEST_CASE("s3 rgw: keys with spaces / unicode / plus / tilde and more round-trip and list exactly") {
  auto c = rgw::client();
  std::string bucket = rgw::unique_bucket("keys");
  c->create_bucket(bucket);
  const std::vector<std::string> keys = {"a b/c d.txt", "unicode/\xe1\x88\xb4-\xc3\xa9t\xc3\xa9", "plus/a+b",
                                         "tilde/~user", "odd/!$&'()*,;=@[]", "percent/100%25 done"};
  for (const auto& k : keys) c->put_object(bucket, k, "value of " + k, "text/plain", true);
  for (const auto& k : keys) CHECK(c->get_object(bucket, k) == "value of " + k);
  auto listed = c->list_objects(bucket, "");
  std::set<std::string> ours;
  for (const auto& o : listed) ours.insert(o.key);
  CHECK(ours == std::set<std::string>(keys.begin(), keys.end()));
  // awscli lists the same keys (JSON, so no quoting questions)
  auto [st, out] = rgw::sh(rgw::aws() + "s3api list-objects-v2 --bucket " + bucket + " --output json");
  REQUIRE(st == 0);
  std::set<std::string> theirs;
  auto listing = nlohmann::json::parse(out);
  for (const auto& o : listing["Contents"]) theirs.insert(o["Key"].get<std::string>());
  CHECK(theirs == ours);
}

TEST_CASE("s3 rgw: If-None-Match refuses to overwrite") {
  auto c = rgw::client();
  std::string bucket = rgw::unique_bucket("inm");
  c->create_bucket(bucket);
  c->put_object(bucket, "manifest.json", "first", "application/json", true);
  try {
    c->put_object(bucket, "manifest.json", "second", "application/json", true);
    FAIL("second create succeeded");
  } catch (const StoreError& e) {
    CHECK(e.code() == "AlreadyExists");
    CHECK(!e.retryable());
    CHECK(std::string(e.what()).find("412") != std::string::npos);
  }
  CHECK(c->get_object(bucket, "manifest.json") == "first");
}

TEST_CASE("s3 rgw: list pages through more than 1000 objects") {
  auto c = rgw::client();
  std::string bucket = rgw::unique_bucket("page");
  c->create_bucket(bucket);
  const int n = 1105;  // RGW pages at 1000
  for (int i = 0; i < n; ++i) c->put_object(bucket, "k/" + std::to_string(i), "", "text/plain", true);
  c->put_object(bucket, "other/x", "", "text/plain", true);
  auto listed = c->list_objects(bucket, "k/");
  CHECK(listed.size() == static_cast<std::size_t>(n));
  std::set<std::string> unique;
  for (const auto& o : listed) unique.insert(o.key);
  CHECK(unique.size() == static_cast<std::size_t>(n));
  CHECK(c->counters().requests.load() >= static_cast<std::uint64_t>(n + 3));
}

TEST_CASE("s3 rgw: streamed file upload / multipart above the threshold / streamed download") {
  auto o = rgw::options_for(rgw::endpoint());
  o.part_size = 5ull << 20;
  o.multipart_threshold = 6ull << 20;
  auto c = std::make_shared<jobtrail::s3::S3Client>(
      o, std::make_shared<jobtrail::s3::StaticProvider>(rgw::good_credentials(), "test"));
  std::string bucket = rgw::unique_bucket("mp");
  c->create_bucket(bucket);
  std::string dir = rgw::temp_dir();
  std::string small = random_bytes(3 << 20, 2), large = random_bytes((17 << 20) + 12345, 3);
  write_file(dir + "/small", small);
  write_file(dir + "/large", large);
  c->put_file(bucket, "small", dir + "/small", "application/octet-stream", true);
  auto before = c->counters().requests.load();
  c->put_file(bucket, "large", dir + "/large", "application/octet-stream", true);
  // head + create + 4 parts + complete
  CHECK(c->counters().requests.load() - before == 7);
  auto [etag, size] = c->head_object(bucket, "large");
  CHECK(size == large.size());
  CHECK(etag.find("-4") != std::string::npos);  // a multipart ETag
  c->get_object_to_file(bucket, "large", dir + "/large.back");
  CHECK(jobtrail::s3::digests_of_file_range(dir + "/large.back", 0, large.size()).sha256_hex ==
        jobtrail::s3::sha256_hex(large));
  CHECK(fs::file_size(dir + "/large.back") == large.size());
  // awscli agrees on the size and content
  auto [st, out] = rgw::sh(rgw::aws() + "s3 cp s3://" + bucket + "/large " + dir + "/large.aws 2>&1");
  const std::string& out_text = out;  // INFO captures in a lambda: no structured bindings (clang 14)
  INFO(out_text);
  REQUIRE(st == 0);
  CHECK(jobtrail::s3::digests_of_file_range(dir + "/large.aws", 0, large.size()).sha256_hex ==
        jobtrail::s3::sha256_hex(large));
  // a second create of the multipart object is refused too
  CHECK_THROWS_WITH_AS(c->put_file(bucket, "large", dir + "/large", "application/octet-stream", true),
                       doctest::Contains("exists"), StoreError);
  // no multipart upload is left behind
  auto [st2, uploads] = rgw::sh(rgw::aws() + "s3api list-multipart-uploads --bucket " + bucket + " --output json");
  CHECK(st2 == 0);
  CHECK(uploads.find("UploadId") == std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("s3 rgw: wrong credentials give one clear error with the S3 code") {
  std::string bucket = rgw::unique_bucket("creds");
  rgw::client()->create_bucket(bucket);
  auto bad_secret = rgw::client(rgw::endpoint(), {rgw::good_credentials().access_key_id, "WRONGSECRET", ""});
  try {
    bad_secret->put_object(bucket, "k", "v", "text/plain", true);
    FAIL("put with a wrong secret succeeded");
  } catch (const StoreError& e) {
    CHECK(e.code() == "SignatureDoesNotMatch");
    CHECK(!e.retryable());
    CHECK(std::string(e.what()).find("403 SignatureDoesNotMatch") != std::string::npos);
  }
  CHECK(bad_secret->counters().requests.load() == 1);  // reported once, not retried
  auto bad_key = rgw::client(rgw::endpoint(), {"NOSUCHKEY", "x", ""});
  CHECK_THROWS_WITH_AS(bad_key->get_object(bucket, "k"), doctest::Contains("InvalidAccessKeyId"), StoreError);
}

TEST_CASE("s3 rgw: S3Store through open_store: prefix / put_new / get / list / missing key") {
  auto e = rgw::env_file();
  std::string bucket = rgw::unique_bucket("store");
  rgw::client()->create_bucket(bucket);
  ::setenv("AWS_ACCESS_KEY_ID", e.at("AWS_ACCESS_KEY_ID").c_str(), 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", e.at("AWS_SECRET_ACCESS_KEY").c_str(), 1);
  jobtrail::storage::StoreOptions so;
  so.url = "s3://" + bucket + "/trails/";
  so.endpoint = e.at("S3_ENDPOINT");
  so.path_style = true;
  auto store = jobtrail::storage::open_store(so);
  CHECK(store->url() == "s3://" + bucket + "/trails");
  store->put_new("pods/a/b/c/manifest.json", "{}", "application/json");
  CHECK(store->get("pods/a/b/c/manifest.json") == "{}");
  auto listed = store->list("pods/");
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].key == "pods/a/b/c/manifest.json");
  CHECK(listed[0].size == 2);
  CHECK(!listed[0].last_modified.empty());
  CHECK(rgw::client()->get_object(bucket, "trails/pods/a/b/c/manifest.json") == "{}");
  CHECK_THROWS_WITH_AS(store->get("pods/nope"), doctest::Contains("NoSuchKey"), StoreError);
}
