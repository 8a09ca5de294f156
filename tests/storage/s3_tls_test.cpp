// TLS: the client verifies the server certificate against --ca-bundle (or the system store),
// checks the host name, and connects unverified only with the explicit insecure flag.
// A TLS-terminating fault_proxy.py (no faults) in front of RGW plays the server, with a CA and
// certificate made here by the openssl command.
#include <filesystem>

#include "tests/storage/proxy_process.hpp"
#include "tests/storage/rgw_env.hpp"

using jobtrail::storage::StoreError;

namespace {
struct Pki {
  std::string dir, ca, cert, key;
  Pki() : dir(rgw::temp_dir() + "/pki") {
    std::filesystem::create_directories(dir);
    ca = dir + "/ca.pem";
    cert = dir + "/server.pem";
    key = dir + "/server.key";
    std::string d = dir;
    auto [st, out] = rgw::sh(
        "set -e; cd " + d + "; "
        "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=jobtrail-test-ca -keyout ca.key -out ca.pem 2>&1; "
        "openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout server.key -out server.csr 2>&1; "
        "printf 'subjectAltName=DNS:localhost\\n' > san.ext; "
        "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile san.ext "
        "-out server.pem 2>&1");
    const std::string& out_text = out;  // INFO captures in a lambda: no structured bindings (clang 14)
    INFO(out_text);
    REQUIRE(st == 0);
  }
};

std::shared_ptr<jobtrail::s3::S3Client> tls_client(const std::string& endpoint, const std::string& ca_bundle,
                                                   bool insecure) {
  jobtrail::storage::StoreOptions so;
  so.endpoint = endpoint;
  so.path_style = true;
  so.ca_bundle = ca_bundle;
  so.insecure_skip_tls_verify = insecure;
  auto o = jobtrail::s3::client_options(so);
  o.backoff.base = std::chrono::milliseconds(10);
  return std::make_shared<jobtrail::s3::S3Client>(
      o, std::make_shared<jobtrail::s3::StaticProvider>(rgw::good_credentials(), "test"));
}
}  // namespace

TEST_CASE("s3 tls: verified with --ca-bundle / refused without it or on a host name mismatch / insecure only on request") {
  Pki pki;
  std::string up = rgw::endpoint().substr(7);
  rgw::FaultProxy tls_proxy({"--upstream", up, "--rate", "0", "--tls-cert", pki.cert, "--tls-key", pki.key});
  const std::string by_name = "https://localhost:" + tls_proxy.port();
  const std::string by_ip = "https://127.0.0.1:" + tls_proxy.port();
  std::string bucket = rgw::unique_bucket("tls");

  auto good = tls_client(by_name, pki.ca, false);
  good->create_bucket(bucket);
  good->put_object(bucket, "over-tls", "secret bytes", "text/plain", true);
  CHECK(good->get_object(bucket, "over-tls") == "secret bytes");
  CHECK(rgw::client()->get_object(bucket, "over-tls") == "secret bytes");  // it really went to RGW

  auto system_store = tls_client(by_name, "", false);
  try {
    system_store->get_object(bucket, "over-tls");
    FAIL("an unknown CA was accepted");
  } catch (const StoreError& e) {
    CHECK(e.code() == "TlsError");
    CHECK(!e.retryable());
    CHECK(std::string(e.what()).find("--ca-bundle") != std::string::npos);
  }
  CHECK(system_store->counters().requests.load() == 1);  // not retried: retrying cannot fix it

  auto wrong_name = tls_client(by_ip, pki.ca, false);  // cert is for localhost only
  CHECK_THROWS_WITH_AS(wrong_name->get_object(bucket, "over-tls"), doctest::Contains("mismatch"), StoreError);

  auto insecure = tls_client(by_ip, "", true);
  CHECK(insecure->get_object(bucket, "over-tls") == "secret bytes");

  CHECK_THROWS_WITH_AS(tls_client(by_name, pki.dir + "/missing.pem", false), doctest::Contains("missing.pem"),
                       std::runtime_error);
  std::filesystem::remove_all(pki.dir);
}
