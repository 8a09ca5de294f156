// Every case of aws-c-auth's v4 signing suite, header-signed and query-signed (presigned URL),
// with each case's own context.json (normalize, sign_body, session token, omit_session_token).
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "tests/s3/vector_files.hpp"
#include "trail/s3/crypto.hpp"

namespace fs = std::filesystem;
using namespace jobtrail::s3;

namespace {
std::string amz_date_of(const std::string& iso) {  // "2015-08-30T12:36:00Z" -> "20150830T123600Z"
  std::string out;
  for (char c : iso)
    if (c != '-' && c != ':') out += c;
  return out;
}

SigningParams params_from(const nlohmann::json& ctx) {
  SigningParams p;
  p.credentials.access_key_id = ctx["credentials"]["access_key_id"];
  p.credentials.secret_access_key = ctx["credentials"]["secret_access_key"];
  p.credentials.session_token = ctx["credentials"].value("token", "");
  p.region = ctx["region"];
  p.service = ctx["service"];
  p.amz_date = amz_date_of(ctx["timestamp"]);
  p.normalize_path = ctx.value("normalize", true);
  p.sign_session_token = !ctx.value("omit_session_token", false);
  return p;
}
}  // namespace

TEST_CASE("sigv4: every case of the aws-c-auth suite / header and query signed") {
  fs::path root = vectors::shared_dir() / "aws-c-auth" / "tests" / "aws-signing-test-suite" / "v4";
  REQUIRE(fs::is_directory(root));
  int cases = 0;
  for (const auto& dir : fs::directory_iterator(root)) {
    if (!fs::exists(dir.path() / "context.json")) continue;
    const std::string name = dir.path().filename().string();
    INFO("case " << name);
    auto ctx = nlohmann::json::parse(vectors::slurp(dir.path() / "context.json"));
    auto parsed = vectors::parse_request(vectors::slurp(dir.path() / "request.txt"), vectors::Fold::AsSpace);
    SigningParams p = params_from(ctx);
    const std::string payload_hash = sha256_hex(parsed.body);
    auto file = [&](const char* f) { return vectors::trim_trailing_newlines(vectors::slurp(dir.path() / f)); };

    RequestParts hreq = parsed.parts;
    if (ctx.value("sign_body", false)) hreq.headers.emplace_back("x-amz-content-sha256", payload_hash);
    SignResult h = sign_headers(hreq, payload_hash, p);
    CHECK(h.canonical_request == file("header-canonical-request.txt"));
    CHECK(h.string_to_sign == file("header-string-to-sign.txt"));
    CHECK(h.signature == file("header-signature.txt"));
    CHECK(vectors::slurp(dir.path() / "header-signed-request.txt").find("Authorization:" + h.authorization + "\n") != std::string::npos);

    RequestParts qreq = parsed.parts;
    SignResult q = sign_query(qreq, payload_hash, p, ctx.value("expiration_in_seconds", 3600));
    CHECK(q.canonical_request == file("query-canonical-request.txt"));
    CHECK(q.string_to_sign == file("query-string-to-sign.txt"));
    CHECK(q.signature == file("query-signature.txt"));
    CHECK(qreq.query.back() == std::pair<std::string, std::string>{"X-Amz-Signature", q.signature});
    ++cases;
  }
  CHECK(cases == 38);  // SOURCE.txt: 38 cases
}
