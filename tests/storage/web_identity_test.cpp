// Web identity credentials (EKS IRSA) against a loopback stand-in for STS (fake_sts.py): the
// token file is sent, credentials are cached, refreshed before expiry (re-reading the rotated
// token), dropped on invalidate(), and an STS refusal is one clear error.
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/storage/proxy_process.hpp"
#include "tests/storage/rgw_env.hpp"

using namespace jobtrail::s3;

namespace {
std::vector<nlohmann::json> calls(const std::string& log) {
  std::vector<nlohmann::json> out;
  std::ifstream in(log);
  for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
  return out;
}
}  // namespace

TEST_CASE("web identity: STS exchange / caching / refresh before expiry / clear refusal") {
  std::string dir = rgw::temp_dir() + "/sts";
  std::filesystem::create_directories(dir);
  std::string log = dir + "/calls.jsonl", token = dir + "/token";
  std::ofstream(token) << "eyJ.first.token\n";
  const std::string role = "arn:aws:iam::123456789012:role/jobtrail";
  rgw::PythonServer sts("fake_sts.py", {"--role", role, "--ttl", "302", "--log", log});
  const std::string endpoint = "http://127.0.0.1:" + sts.port();

  // margin 300 s on a 302 s lifetime: fresh for ~2 s, then refreshed
  WebIdentityProvider p(role, token, "jobtrail-test", endpoint, {}, std::chrono::seconds(300));
  CHECK(p.source().find(role) != std::string::npos);
  Credentials c1 = p.get();
  CHECK(c1.access_key_id == "ASIA1");
  CHECK(c1.secret_access_key == "secret1");
  CHECK(c1.session_token == "token1");
  CHECK(p.get().access_key_id == "ASIA1");  // cached
  REQUIRE(calls(log).size() == 1);
  auto first = calls(log)[0];
  CHECK(first["Action"] == "AssumeRoleWithWebIdentity");
  CHECK(first["RoleArn"] == role);
  CHECK(first["RoleSessionName"] == "jobtrail-test");
  CHECK(first["WebIdentityToken"] == "eyJ.first.token");
  CHECK(first["Version"] == "2011-06-15");

  std::ofstream(token) << "eyJ.rotated.token\n";  // the kubelet rotates the projected token
  std::this_thread::sleep_for(std::chrono::milliseconds(3500));
  CHECK(p.get().access_key_id == "ASIA2");  // refreshed before expiry
  REQUIRE(calls(log).size() == 2);
  CHECK(calls(log)[1]["WebIdentityToken"] == "eyJ.rotated.token");
  p.invalidate();  // S3 said ExpiredToken
  CHECK(p.get().access_key_id == "ASIA3");

  WebIdentityProvider wrong("arn:aws:iam::123456789012:role/other", token, "s", endpoint, {});
  try {
    wrong.get();
    FAIL("STS refusal not reported");
  } catch (const jobtrail::storage::StoreError& e) {
    CHECK(e.code() == "AccessDenied");
    CHECK(!e.retryable());
    CHECK(std::string(e.what()).find("403 AccessDenied: Not authorized") != std::string::npos);
  }
  WebIdentityProvider no_token(role, dir + "/missing", "s", endpoint, {});
  CHECK_THROWS_WITH_AS(no_token.get(), doctest::Contains("missing"), jobtrail::storage::StoreError);

  // the chain picks web identity from the environment variables EKS sets
  std::map<std::string, std::string> vars{{"AWS_ROLE_ARN", role}, {"AWS_WEB_IDENTITY_TOKEN_FILE", token},
                                          {"AWS_ENDPOINT_URL_STS", endpoint}, {"HOME", "/nonexistent"}};
  Getenv env = [&](const char* n) -> std::optional<std::string> {
    auto it = vars.find(n);
    return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  auto chain = default_credentials("us-east-1", {}, env);
  CHECK(chain->get().access_key_id.rfind("ASIA", 0) == 0);
  std::filesystem::remove_all(dir);
}
