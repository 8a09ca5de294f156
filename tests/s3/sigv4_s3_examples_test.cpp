// The S3 examples of S3-EXAMPLES.md (shared/testdata/sigv4), parsed from the markdown at test
// time: requests as sent, canonical requests, strings to sign, signatures, the presigned URL,
// the chunked-upload chain, the POST policy and the signing-key derivation table.
#include <doctest/doctest.h>

#include <map>
#include <regex>

#include "tests/s3/vector_files.hpp"
#include "trail/s3/crypto.hpp"

using namespace jobtrail::s3;

namespace {
struct Section {
  std::string title;
  std::string text;
};

std::vector<Section> sections(const std::string& md) {
  std::vector<Section> out;
  std::regex head(R"(^## (.*)$)", std::regex::multiline);
  std::vector<std::pair<std::size_t, std::string>> starts;
  for (std::sregex_iterator it(md.begin(), md.end(), head), end; it != end; ++it)
    starts.emplace_back(static_cast<std::size_t>(it->position()), (*it)[1]);
  for (std::size_t i = 0; i < starts.size(); ++i) {
    std::size_t end = i + 1 < starts.size() ? starts[i + 1].first : md.size();
    out.push_back({starts[i].second, md.substr(starts[i].first, end - starts[i].first)});
  }
  return out;
}

// The fenced block that follows `label` in `text`.
std::string block_after(const std::string& text, const std::string& label) {
  std::size_t at = text.find(label);
  REQUIRE_MESSAGE(at != std::string::npos, "label not found: " << label);
  std::size_t open = text.find("```\n", at);
  std::size_t close = text.find("\n```", open + 4);
  return text.substr(open + 4, close - open - 4);
}

std::string backticked_after(const std::string& text, const std::string& label) {
  std::size_t at = text.find(label);
  REQUIRE_MESSAGE(at != std::string::npos, "label not found: " << label);
  std::size_t open = text.find('`', at + label.size());
  std::size_t close = text.find('`', open + 1);
  return text.substr(open + 1, close - open - 1);
}

SigningParams s3_params(const std::string& date = "20130524T000000Z") {
  SigningParams p;
  p.credentials = {"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
  p.region = "us-east-1";
  p.service = "s3";
  p.amz_date = date;
  p.normalize_path = false;
  return p;
}

const std::string& markdown() {
  static const std::string md = vectors::slurp(vectors::shared_dir() / "S3-EXAMPLES.md");
  return md;
}
}  // namespace

TEST_CASE("sigv4: S3 examples 1-4 / requests as sent") {
  int n = 0;
  for (const auto& s : sections(markdown())) {
    if (s.text.find("Request as sent:") == std::string::npos) continue;
    INFO("example " << s.title);
    auto parsed = vectors::parse_request(block_after(s.text, "Request as sent:"), vectors::Fold::AsNewValue);
    if (!parsed.body.empty() && parsed.body.back() == '\n') parsed.body.pop_back();
    std::string date = vectors::take_header(parsed.parts, "x-amz-date");
    std::string sent_hash;
    for (const auto& [k, v] : parsed.parts.headers)
      if (k == "x-amz-content-sha256") sent_hash = canonical_header_value(v);
    CHECK(sent_hash == sha256_hex(parsed.body));  // S3 rule: the real payload hash
    SignResult r = sign_headers(parsed.parts, sent_hash, s3_params(date));
    CHECK(r.canonical_request == block_after(s.text, "Canonical request:"));
    CHECK(r.string_to_sign == block_after(s.text, "String to sign:"));
    CHECK(r.signature == backticked_after(s.text, "**Expected signature:**"));
    std::string authz = block_after(s.text, "Authorization header:");
    authz = std::regex_replace(authz, std::regex(",\n  "), ", ");
    CHECK(r.authorization == authz);
    ++n;
  }
  CHECK(n == 4);
}

TEST_CASE("sigv4: S3 example 5 / presigned URL") {
  auto all = sections(markdown());
  const auto& s = all.at(4);
  REQUIRE(s.title.find("Presigned URL") != std::string::npos);
  RequestParts req{"GET", "/test.txt", {}, {{"Host", "examplebucket.s3.amazonaws.com"}}};
  SignResult r = sign_query(req, kUnsignedPayload, s3_params(), 86400);
  CHECK(r.canonical_request == block_after(s.text, "Canonical request:"));
  CHECK(r.string_to_sign == block_after(s.text, "String to sign:"));
  CHECK(r.signature == backticked_after(s.text, "**Expected signature:**"));
  std::string url = "https://examplebucket.s3.amazonaws.com" + uri_encode(req.path, true) + "?" +
                    encode_query(req.query);
  CHECK(url == block_after(s.text, "Resulting URL:"));
}

TEST_CASE("sigv4: S3 example 6 / chunked upload seed and chunk chain") {
  const auto s = sections(markdown()).at(5);
  REQUIRE(s.title.find("Chunked upload") != std::string::npos);
  // The seed request, rebuilt from its canonical form: path-style, headers as listed.
  std::string creq = block_after(s.text, "Seed request canonical request:");
  RequestParts req{"PUT", "/examplebucket/chunkObject.txt", {}, {}};
  std::istringstream lines(creq);
  std::string line;
  for (int i = 0; std::getline(lines, line); ++i) {
    if (i < 3) continue;
    if (line.empty()) break;
    auto colon = line.find(':');
    if (line.substr(0, colon) != "x-amz-date") req.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
  }
  const std::string streaming = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
  SignResult seed = sign_headers(req, streaming, s3_params());
  CHECK(seed.canonical_request == creq);
  CHECK(seed.string_to_sign == block_after(s.text, "Seed string to sign:"));
  CHECK(seed.signature == backticked_after(s.text, "**Expected seed signature:**"));

  const std::string scope = credential_scope("20130524T000000Z", "us-east-1", "s3");
  const std::string key = signing_key("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "20130524", "us-east-1", "s3");
  const std::size_t sizes[] = {65536, 1024, 0};
  std::string previous = seed.signature;
  for (int i = 0; i < 3; ++i) {
    INFO("chunk " << i + 1);
    std::string sts = chunk_string_to_sign("20130524T000000Z", scope, previous,
                                           sha256_hex(std::string(sizes[i], 'a')));
    CHECK(sts == block_after(s.text, "Chunk " + std::to_string(i + 1) + " ("));
    previous = signature_hex(key, sts);
    CHECK(previous == backticked_after(s.text, "**Expected chunk " + std::to_string(i + 1) + " signature:**"));
  }
}

TEST_CASE("sigv4: S3 example 7 / POST policy - example 8 and the S3 signing key") {
  auto all = sections(markdown());
  const auto& s7 = all.at(6);
  REQUIRE(s7.title.find("POST") != std::string::npos);
  std::string policy = block_after(s7.text, "Base64 policy (string to sign):");
  std::string key = signing_key("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "20151229", "us-east-1", "s3");
  CHECK(signature_hex(key, policy) == backticked_after(s7.text, "**Expected signature:**"));

  CHECK(to_hex(signing_key("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "20130524", "us-east-1", "s3")) ==
        backticked_after(markdown(), "| signing key (20130524/us-east-1/s3) |"));

  const auto& s8 = all.at(7);
  REQUIRE(s8.title.find("signing key") != std::string::npos);
  const std::string secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  std::string k_secret = "AWS4" + secret;
  std::string k_date = hmac_sha256(k_secret, "20120215");
  std::string k_region = hmac_sha256(k_date, "us-east-1");
  std::string k_service = hmac_sha256(k_region, "iam");
  std::string k_signing = hmac_sha256(k_service, "aws4_request");
  CHECK(to_hex(k_secret) == backticked_after(s8.text, "| kSecret |"));
  CHECK(to_hex(k_date) == backticked_after(s8.text, "| kDate |"));
  CHECK(to_hex(k_region) == backticked_after(s8.text, "| kRegion |"));
  CHECK(to_hex(k_service) == backticked_after(s8.text, "| kService |"));
  CHECK(to_hex(k_signing) == backticked_after(s8.text, "| kSigning |"));
  CHECK(to_hex(signing_key(secret, "20120215", "us-east-1", "iam")) == to_hex(k_signing));
}
