// The pure parts of the S3 client: key encoding, addressing, XML error and list parsing,
// retry classification and backoff, credentials parsing.
#include <doctest/doctest.h>

#include <set>

#include "trail/s3/credentials.hpp"
#include "trail/s3/endpoint.hpp"
#include "trail/s3/errors.hpp"
#include "trail/s3/object_lock.hpp"
#include "trail/s3/s3_store.hpp"
#include "trail/s3/s3_xml.hpp"
#include "trail/s3/sigv4.hpp"
#include "trail/s3/uri.hpp"

using namespace jobtrail::s3;

TEST_CASE("uri: keys are encoded once / slash kept in paths / RFC 3986 unreserved kept") {
  CHECK(uri_encode("pods/my ns/a b", true) == "pods/my%20ns/a%20b");
  CHECK(uri_encode("a+b", true) == "a%2Bb");  // '+' is not a space in S3 paths
  CHECK(uri_encode("~user-1_2.x", true) == "~user-1_2.x");
  CHECK(uri_encode("\xe1\x88\xb4", true) == "%E1%88%B4");  // UTF-8 bytes, upper-case hex
  CHECK(uri_encode("\xc3\xa9t\xc3\xa9", true) == "%C3%A9t%C3%A9");
  CHECK(uri_encode("a/b", false) == "a%2Fb");  // in query values '/' is encoded
  CHECK(uri_encode("100%", true) == "100%25");
  CHECK(uri_encode("$&=*", true) == "%24%26%3D%2A");
  CHECK(uri_decode("a%20b%2Bc+d") == "a b+c+d");
  CHECK(uri_decode("100%") == "100%");  // a stray '%' survives
  CHECK(uri_decode(uri_encode("x y/\xe1\x88\xb4+~", true)) == "x y/\xe1\x88\xb4+~");
}

TEST_CASE("sigv4: S3 paths are not normalised / other services are") {
  CHECK(canonical_uri("/bucket/a//b/./c/../d", false) == "/bucket/a//b/./c/../d");
  CHECK(canonical_uri("/a//b/./c/../d", true) == "/a/b/d");
  CHECK(canonical_uri("", false) == "/");
  CHECK(canonical_query({{"prefix", "a b"}, {"list-type", "2"}, {"continuation-token", "x/y+z="}}) ==
        "continuation-token=x%2Fy%2Bz%3D&list-type=2&prefix=a%20b");
  CHECK(canonical_query({{"uploads", ""}}) == "uploads=");
}

TEST_CASE("endpoint: s3 URLs / endpoints / path-style and virtual-hosted addressing") {
  auto u = parse_s3_url("s3://bucket/some/prefix/");
  CHECK(u.bucket == "bucket");
  CHECK(u.prefix == "some/prefix/");
  CHECK(parse_s3_url("s3://bucket").prefix == "");
  CHECK_THROWS(parse_s3_url("s3:///x"));
  CHECK_THROWS(parse_s3_url("gs://x"));

  auto aws = parse_endpoint("", "eu-west-1");
  CHECK(aws.tls);
  CHECK(aws.host == "s3.eu-west-1.amazonaws.com");
  CHECK(aws.host_header() == "s3.eu-west-1.amazonaws.com");
  auto local = parse_endpoint("http://127.0.0.1:7480", "us-east-1");
  CHECK(!local.tls);
  CHECK(local.host_header() == "127.0.0.1:7480");
  CHECK(parse_endpoint("https://minio.example:443/", "x").host_header() == "minio.example");
  CHECK(parse_endpoint("http://[::1]:9000", "x").host == "::1");
  CHECK(parse_endpoint("http://[::1]:9000", "x").host_header() == "[::1]:9000");
  CHECK_THROWS(parse_endpoint("ftp://x", "x"));

  auto p = address(local, "bkt", "pods/a b", true);
  CHECK(p.host == "127.0.0.1:7480");
  CHECK(p.path == "/bkt/pods/a b");
  CHECK(address(local, "bkt", "", true).path == "/bkt");
  auto v = address(aws, "bkt", "pods/x", false);
  CHECK(v.connect.host == "bkt.s3.eu-west-1.amazonaws.com");
  CHECK(v.host == "bkt.s3.eu-west-1.amazonaws.com");
  CHECK(v.path == "/pods/x");
}

TEST_CASE("errors: S3 and STS XML error replies") {
  auto e = parse_error_reply(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SignatureDoesNotMatch</Code>"
      "<Message>The request signature we calculated does not match the signature you provided.</Message>"
      "<RequestId>4442587FB7D0A2F9</RequestId></Error>");
  CHECK(e.code == "SignatureDoesNotMatch");
  CHECK(e.message.find("does not match") != std::string::npos);
  CHECK(describe(403, e) ==
        "403 SignatureDoesNotMatch: The request signature we calculated does not match the signature you "
        "provided. (request id 4442587FB7D0A2F9)");
  auto rgw = parse_error_reply("<Error><Code>NoSuchKey</Code><Message></Message><BucketName>b</BucketName>"
                               "<RequestId>tx0</RequestId><HostId>h</HostId></Error>");
  CHECK(rgw.code == "NoSuchKey");
  CHECK(describe(404, rgw) == "404 NoSuchKey (request id tx0)");  // RGW's empty <Message/>
  auto sts = parse_error_reply(
      "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>"
      "<Code>InvalidIdentityToken</Code><Message>No OpenIDConnect provider found</Message></Error>"
      "<RequestId>r-1</RequestId></ErrorResponse>");
  CHECK(sts.code == "InvalidIdentityToken");
  CHECK(sts.request_id == "r-1");
  CHECK(parse_error_reply("").code.empty());
  CHECK(parse_error_reply("<html>502 Bad Gateway</html>").code.empty());
  CHECK(parse_error_reply("not xml <").code.empty());
  CHECK(describe(502, parse_error_reply("")) == "502 HTTP502");
  CHECK(describe(503, parse_error_reply("")) == "503 ServiceUnavailable");
}

TEST_CASE("errors: what is retried and what is reported at once") {
  CHECK(retryable(0, "NetworkError"));
  CHECK(retryable(500, "InternalError"));
  CHECK(retryable(502, ""));
  CHECK(retryable(503, "SlowDown"));
  CHECK(retryable(429, ""));
  CHECK(retryable(400, "RequestTimeout"));
  CHECK(retryable(400, "ExpiredToken"));
  CHECK(retryable(200, "SlowDown"));  // CompleteMultipartUpload's error-in-200
  CHECK_FALSE(retryable(403, "SignatureDoesNotMatch"));
  CHECK_FALSE(retryable(403, "InvalidAccessKeyId"));
  CHECK_FALSE(retryable(403, "AccessDenied"));
  CHECK_FALSE(retryable(404, "NoSuchBucket"));
  CHECK_FALSE(retryable(412, "PreconditionFailed"));
  CHECK_FALSE(retryable(400, "InvalidArgument"));
}

TEST_CASE("errors: backoff grows exponentially / is capped and jittered") {
  Backoff b{std::chrono::milliseconds(100), std::chrono::milliseconds(3000)};
  std::mt19937_64 rng(42);
  for (unsigned attempt = 0; attempt < 12; ++attempt) {
    long long ceiling = std::min<long long>(100ll << attempt, 3000);
    std::set<long long> seen;
    for (int i = 0; i < 200; ++i) {
      auto d = b.delay(attempt, rng).count();
      CHECK(d >= 0);
      CHECK(d <= ceiling);
      seen.insert(d);
    }
    CHECK(seen.size() > 20);  // jitter: not one fixed value
    CHECK(*seen.rbegin() > ceiling / 2);
  }
}

TEST_CASE("errors: a deadline stops retries before their backoff / bounds each network step") {
  using std::chrono::milliseconds;
  const Deadline now = std::chrono::steady_clock::now();
  const Deadline deadline = now + milliseconds(500);
  CHECK(retry_fits(now, milliseconds(5000), no_deadline));
  CHECK(retry_fits(now, milliseconds(0), deadline));
  CHECK(retry_fits(now, milliseconds(499), deadline));
  CHECK_FALSE(retry_fits(now, milliseconds(500), deadline));  // would start at the deadline
  CHECK_FALSE(retry_fits(now, milliseconds(4000), deadline));
  CHECK_FALSE(retry_fits(deadline, milliseconds(0), deadline));
  CHECK_FALSE(retry_fits(deadline + milliseconds(1), milliseconds(0), deadline));

  CHECK(step_timeout(milliseconds(30'000), now, no_deadline) == milliseconds(30'000));
  CHECK(step_timeout(milliseconds(30'000), now, deadline) == milliseconds(500));
  CHECK(step_timeout(milliseconds(100), now, deadline) == milliseconds(100));
  CHECK(step_timeout(milliseconds(30'000), now + milliseconds(499), deadline) == milliseconds(1));
  CHECK(step_timeout(milliseconds(30'000), deadline, deadline) == milliseconds(0));
  CHECK(step_timeout(milliseconds(30'000), deadline + milliseconds(7), deadline) == milliseconds(0));
}

TEST_CASE("xml: ListObjectsV2 pages / multipart ids and the complete body") {
  auto page = parse_list_objects_v2(
      "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>b</Name><Prefix>p/</Prefix>"
      "<KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>"
      "<NextContinuationToken>1/abc+=</NextContinuationToken>"
      "<Contents><Key>p/a &amp; b</Key><LastModified>2026-11-29T00:00:01.000Z</LastModified><Size>12</Size></Contents>"
      "<Contents><Key>p/\xe1\x88\xb4</Key><LastModified>2026-11-29T00:00:02.000Z</LastModified><Size>0</Size></Contents>"
      "</ListBucketResult>");
  REQUIRE(page.objects.size() == 2);
  CHECK(page.objects[0].key == "p/a & b");
  CHECK(page.objects[0].size == 12);
  CHECK(page.objects[0].last_modified == "2026-11-29T00:00:01.000Z");
  CHECK(page.objects[1].key == "p/\xe1\x88\xb4");
  CHECK(page.truncated);
  CHECK(page.next_token == "1/abc+=");
  CHECK_THROWS(parse_list_objects_v2("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>"));
  CHECK_THROWS(parse_list_objects_v2("<Error><Code>AccessDenied</Code></Error>"));
  CHECK(parse_upload_id("<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>2~x</UploadId>"
                        "</InitiateMultipartUploadResult>") == "2~x");
  CHECK_THROWS(parse_upload_id("<Error/>"));
  CHECK(complete_multipart_xml({{1, "\"aa\""}, {2, "\"bb\""}}) ==
        "<?xml version=\"1.0\"?><CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Part><PartNumber>1</PartNumber>"
        "<ETag>\"aa\"</ETag></Part><Part><PartNumber>2</PartNumber><ETag>\"bb\"</ETag></Part></CompleteMultipartUpload>");
  // md5(md5("a") || md5("b")) computed independently with: python3 hashlib
  CHECK(multipart_etag({"0cc175b9c0f1b6a831c399e269772661", "92eb5ffee6ae2fec3ad71c777531578f"}) ==
        "96e024ba2074fe77e8e965ba43a704be-2");
}

TEST_CASE("credentials: environment / shared file profiles / STS replies") {
  std::map<std::string, std::string> vars{{"AWS_ACCESS_KEY_ID", "AK"}, {"AWS_SECRET_ACCESS_KEY", "SK"}};
  Getenv env = [&](const char* n) -> std::optional<std::string> {
    auto it = vars.find(n);
    return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  auto c = credentials_from_env(env);
  REQUIRE(c);
  CHECK(c->access_key_id == "AK");
  CHECK(c->session_token.empty());
  vars["AWS_SESSION_TOKEN"] = "TOK";
  CHECK(credentials_from_env(env)->session_token == "TOK");
  vars.erase("AWS_SECRET_ACCESS_KEY");
  CHECK_FALSE(credentials_from_env(env));

  const char* ini =
      "# comment\n[default]\naws_access_key_id = DEF\naws_secret_access_key=DEFSECRET\n\n"
      "[ci]\r\n aws_access_key_id=CI \r\naws_secret_access_key = CISECRET\r\naws_session_token = T\r\n"
      "[broken]\naws_access_key_id=ONLY\n";
  CHECK(parse_shared_credentials(ini, "default")->secret_access_key == "DEFSECRET");
  auto ci = parse_shared_credentials(ini, "ci");
  REQUIRE(ci);
  CHECK(ci->access_key_id == "CI");
  CHECK(ci->secret_access_key == "CISECRET");
  CHECK(ci->session_token == "T");
  CHECK_FALSE(parse_shared_credentials(ini, "broken"));
  CHECK_FALSE(parse_shared_credentials(ini, "absent"));

  auto t = parse_assume_role_reply(
      "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
      "<AssumeRoleWithWebIdentityResult><Credentials><SessionToken>ST</SessionToken>"
      "<SecretAccessKey>SAK</SecretAccessKey><Expiration>2026-11-29T01:00:00Z</Expiration>"
      "<AccessKeyId>ASIA1</AccessKeyId></Credentials></AssumeRoleWithWebIdentityResult>"
      "</AssumeRoleWithWebIdentityResponse>");
  CHECK(t.credentials.access_key_id == "ASIA1");
  CHECK(t.credentials.secret_access_key == "SAK");
  CHECK(t.credentials.session_token == "ST");
  CHECK(std::chrono::system_clock::to_time_t(t.expiration) == 1795914000);  // date -d 2026-11-29T01:00:00Z +%s
  CHECK_THROWS_WITH(parse_assume_role_reply("<ErrorResponse><Error><Code>AccessDenied</Code><Message>no</Message>"
                                            "</Error></ErrorResponse>"),
                    doctest::Contains("AccessDenied: no"));
  CHECK(assume_role_form("arn:aws:iam::1:role/r", "s", "ey.J/+") ==
        "Action=AssumeRoleWithWebIdentity&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fr&RoleSessionName=s"
        "&Version=2011-06-15&WebIdentityToken=ey.J%2F%2B");

  vars.clear();
  vars["HOME"] = "/nonexistent";
  CHECK_THROWS_WITH(default_credentials("us-east-1", {}, env), doctest::Contains("no S3 credentials"));
  vars["AWS_ROLE_ARN"] = "arn:aws:iam::1:role/r";
  vars["AWS_WEB_IDENTITY_TOKEN_FILE"] = "/var/run/secrets/token";
  CHECK(default_credentials("eu-west-1", {}, env)->source().find("https://sts.eu-west-1.amazonaws.com") !=
        std::string::npos);
}

TEST_CASE("s3 store: client options from the shared flags") {
  jobtrail::storage::StoreOptions so;
  so.endpoint = "https://rgw.internal:8443";
  so.region = "eu-central-1";
  so.path_style = true;
  so.ca_bundle = "/etc/ssl/ours.pem";
  auto o = client_options(so);
  CHECK(o.endpoint.tls);
  CHECK(o.endpoint.port == "8443");
  CHECK(o.region == "eu-central-1");
  CHECK(o.path_style);
  CHECK(o.tls.ca_bundle == "/etc/ssl/ours.pem");
  CHECK_FALSE(o.tls.insecure_skip_verify);
  so.endpoint = "rgw:80";
  CHECK_THROWS_AS(client_options(so), jobtrail::storage::StoreError);
}

TEST_CASE("object lock: headers of a write, Content-MD5, and the flags' values checked") {
  CHECK(object_lock_headers({}, 0).empty());
  const Headers h = object_lock_headers({"COMPLIANCE", 2}, 1764547200);  // 2025-12-01T00:00:00Z
  CHECK(h == Headers{{"x-amz-object-lock-mode", "COMPLIANCE"},
                     {"x-amz-object-lock-retain-until-date", "2025-12-03T00:00:00Z"}});
  // RFC 1864: the base64 of the 16 raw bytes; MD5("") = d41d8cd98f00b204e9800998ecf8427e
  CHECK(content_md5("d41d8cd98f00b204e9800998ecf8427e") == "1B2M2Y8AsgTpgAmY7PhCfg==");
  CHECK_THROWS(content_md5("d41d8cd9"));
  CHECK_THROWS(content_md5("zz1d8cd98f00b204e9800998ecf8427e"));
  CHECK_NOTHROW(check_object_lock({}));
  CHECK_NOTHROW(check_object_lock({"GOVERNANCE", 1}));
  CHECK_THROWS(check_object_lock({"governance", 1}));
  CHECK_THROWS(check_object_lock({"COMPLIANCE", 0}));
  CHECK_THROWS(check_object_lock({"COMPLIANCE", 36501}));
  CHECK_THROWS(check_object_lock({"", 5}));  // days without a mode would silently lock nothing
  jobtrail::storage::StoreOptions o;
  o.object_lock_mode = "COMPLIANCE";
  o.object_lock_days = 3;
  CHECK(client_options(o).object_lock.days == 3);
  o.object_lock_days = 0;
  CHECK_THROWS_AS(client_options(o), jobtrail::storage::StoreError);
}
