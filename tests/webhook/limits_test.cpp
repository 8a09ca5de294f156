// check_json_limits on hostile shapes, and handle_request answering them with one line instead of crashing.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "handler.hpp"
#include "json_limits.hpp"

using namespace jobtrail::webhook;

namespace {
std::string repeat(const std::string& s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

HttpResponse post(const std::string& body) {
  static const auto config = std::make_shared<const Config>(
      parse_config_text(R"({"sidecar":{"image":"r/jobtrail:1"},"storage":{"url":"s3://b/p"}})"));
  static Metrics metrics;
  return handle_request({"POST", "/mutate", "application/json", body}, config, metrics);
}

// The shared default review with `inner` put at the place `marker` names inside it.
std::string review_with(const std::string& marker, const std::string& inner) {
  std::ifstream in(std::string(JOBTRAIL_SOURCE_DIR) + "/../shared/testdata/k8s/admissionreview-request-default.json");
  REQUIRE(in);
  auto review = nlohmann::json::parse(in);
  review["request"]["object"]["metadata"]["annotations"]["marker"] = "MARK";
  if (marker == "spec") review["request"]["object"]["spec"]["x"] = "MARK";
  if (marker == "container") review["request"]["object"]["spec"]["containers"][0]["x"] = "MARK";
  if (marker == "env") review["request"]["object"]["spec"]["containers"][0]["env"] = {{{"name", "A"}, {"value", "MARK"}}};
  std::string text = review.dump();
  const std::string needle = marker == "metadata" ? "\"marker\":\"MARK\"" : "\"x\":\"MARK\"";
  const std::string target = marker == "env" ? "\"value\":\"MARK\"" : needle;
  const auto at = text.find(target);
  REQUIRE(at != std::string::npos);
  const auto colon = text.find(':', at);
  text.replace(colon + 1, target.size() - (colon + 1 - at), inner);
  return text;
}
}  // namespace

TEST_CASE("json limits: depth, values, and brackets inside strings") {
  const JsonLimits limits;
  CHECK(check_json_limits(repeat("[", 64) + repeat("]", 64), limits).empty());
  CHECK(check_json_limits(repeat("[", 65) + repeat("]", 65), limits).find("deeper than 64") != std::string::npos);
  CHECK(check_json_limits(repeat("{\"a\":", 65) + "1" + repeat("}", 65), limits).find("deeper") != std::string::npos);
  CHECK(check_json_limits("[\"" + repeat("[{", 10000) + "\"]", limits).empty());
  CHECK(check_json_limits("[\"\\\"[[[[\"]", {2, 100}).empty());  // an escaped quote does not end the string
  CHECK(check_json_limits("[" + repeat("{},", 100000) + "{}]", limits).find("more than 100000 values") !=
        std::string::npos);
  CHECK(check_json_limits("[" + repeat("1,", 99998) + "1]", limits).empty());
  CHECK(check_json_limits("[" + repeat("1,", 99999) + "1]", limits).find("values") != std::string::npos);
}

TEST_CASE("handler: hostile bodies get 400 with one line, a good review still 200") {
  const std::string deep = repeat("[", 100000) + repeat("]", 100000);
  for (const char* part : {"spec", "metadata", "container", "env"}) {
    const HttpResponse r = post(review_with(part, deep));
    CHECK_MESSAGE(r.status == 400, part);
    CHECK(r.body.find("deeper") != std::string::npos);
    CHECK(r.body.find('\n') == r.body.size() - 1);
  }
  CHECK(post("[" + repeat("{},", 1000000) + "{}]").status == 400);
  std::string keys = "{";
  for (int i = 0; i < 60000; ++i) keys += "\"k" + std::to_string(i) + "\":1,";
  keys += "\"z\":1}";
  CHECK(post(review_with("spec", keys)).status == 400);
  const HttpResponse ok = post(review_with("spec", "\"fine\""));
  CHECK(ok.status == 200);
  CHECK(ok.body.find("\"patch\"") != std::string::npos);
}
