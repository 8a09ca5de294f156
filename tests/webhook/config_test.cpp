#include <doctest/doctest.h>

#include <algorithm>

#include "config.hpp"
#include "sidecar_spec.hpp"

using namespace jobtrail::webhook;
using nlohmann::json;

TEST_CASE("config: minimal file gets the documented defaults") {
  const auto c = parse_config_text(R"({"sidecar":{"image":"img:1"},"storage":{"url":"s3://b/p"}})");
  CHECK(c.sidecar.mode == "native");
  CHECK(c.sidecar.privileged);
  CHECK(c.sidecar.http_port == 9477);
  CHECK(c.sidecar.flush_deadline_seconds == 25);
  CHECK_FALSE(c.deny_on_error);
  CHECK(c.storage.secret_name == "jobtrail-storage");
}

TEST_CASE("config: bad files are rejected with a reason") {
  CHECK_THROWS_WITH_AS(parse_config_text("{"), "config is not valid JSON", ConfigError);
  CHECK_THROWS_WITH_AS(parse_config_text(R"({"storage":{"url":"s3://b"}})"), "sidecar.image is required", ConfigError);
  CHECK_THROWS_WITH_AS(parse_config_text(R"({"sidecar":{"image":"i","imagee":1},"storage":{"url":"x"}})"),
                       "unknown key sidecar.imagee", ConfigError);
  CHECK_THROWS_WITH_AS(parse_config_text(R"({"sidecar":{"image":"i","mode":"x"},"storage":{"url":"x"}})"),
                       "sidecar.mode has an invalid value \"x\"", ConfigError);
  CHECK_THROWS_WITH_AS(parse_config_text(R"({"sidecar":{"image":"i","httpPort":"80"},"storage":{"url":"x"}})"),
                       "sidecar.httpPort has the wrong type", ConfigError);
  CHECK_THROWS_AS(parse_config_text(R"({"onError":"maybe","sidecar":{"image":"i"},"storage":{"url":"x"}})"), ConfigError);
  CHECK_THROWS_WITH_AS(parse_config_text(R"({"sidecar":{"image":"i","memoryBudgetMib":50},"storage":{"url":"x"}})"),
                       "sidecar.memoryBudgetMib must be >= 100", ConfigError);
  CHECK(parse_config_text(R"({"sidecar":{"image":"i","memoryBudgetMib":200},"storage":{"url":"x"}})").sidecar.memory_budget_mib == 200);
  // the ring: the sidecar's own start-up rules, checked when the configuration loads
  auto ring = [](const std::string& kib, const std::string& mib = "160") {
    return R"({"sidecar":{"image":"i","ringBufferKib":)" + kib + R"(,"memoryBudgetMib":)" + mib + R"(},"storage":{"url":"x"}})";
  };
  CHECK(parse_config_text(ring("8192")).sidecar.ring_buffer_kib == 8192);
  CHECK(parse_config_text(R"({"sidecar":{"image":"i"},"storage":{"url":"x"}})").sidecar.ring_buffer_kib == 4096);
  CHECK_THROWS_WITH_AS(parse_config_text(ring("64")), doctest::Contains("at least 128"), ConfigError);
  CHECK_THROWS_WITH_AS(parse_config_text(ring("3000")), doctest::Contains("power of two"), ConfigError);
  CHECK_THROWS_WITH_AS(parse_config_text(ring("-4096")), doctest::Contains("at least 128"), ConfigError);
  CHECK_THROWS_WITH_AS(parse_config_text(ring("2097152")), doctest::Contains("at most"), ConfigError);
  CHECK_THROWS_WITH_AS(parse_config_text(ring("131072", "160")), doctest::Contains("too small for the ring buffer"), ConfigError);
  CHECK(parse_config_text(ring("131072", "200")).sidecar.ring_buffer_kib == 131072);
}

TEST_CASE("config: the chart's values render to a file we accept") {
  // Same shape as charts/jobtrail/templates/webhook-configmap.yaml renders with the default values.
  const auto c = parse_config_text(R"({"onError":"deny","sidecar":{"image":"r/jobtrail:0.1.0","imagePullPolicy":"IfNotPresent",
    "mode":"container","privileged":false,"capabilities":["BPF","PERFMON"],"resources":{"limits":{"memory":"256Mi"}},
    "spoolSizeLimit":"2Gi","hostCgroupRoot":"/sys/fs/cgroup","flushDeadlineSeconds":40,"files":"all",
    "segmentMaxBytes":8388608,"segmentMaxAgeSeconds":10,"logLevel":"info","httpPort":9477,"memoryBudgetMib":160},
    "storage":{"url":"s3://b/jobtrail","endpoint":"","region":"us-east-1","pathStyle":true,"caBundleConfigMap":"",
    "credentials":{"mode":"webIdentity","roleArn":"arn:aws:iam::1:role/r","audience":"sts.amazonaws.com"}}})");
  CHECK(c.deny_on_error);
  CHECK(c.sidecar.mode == "container");
  CHECK(c.sidecar.capabilities.size() == 2);
  CHECK(c.storage.credentials_mode == "webIdentity");
  CHECK(c.storage.path_style);
}

TEST_CASE("config: optOut defaults to anyone; lists and unknown keys") {
  const auto base = std::string(R"("sidecar":{"image":"i"},"storage":{"url":"s3://b/p"})");
  const Config d = parse_config_text("{" + base + "}");
  CHECK(d.opt_out.anyone);
  CHECK(d.opt_out.allows("anybody", {}));
  const Config c = parse_config_text(R"({"optOut":{"anyone":false,"users":["alice"],"groups":["g"]},)" + base + "}");
  CHECK(c.opt_out.allows("alice", {}));
  CHECK(c.opt_out.allows("bob", {"x", "g"}));
  CHECK_FALSE(c.opt_out.allows("bob", {"x"}));
  CHECK_FALSE(c.opt_out.allows("", {}));
  CHECK_THROWS_AS(parse_config_text(R"({"optOut":{"anyon":false},)" + base + "}"), ConfigError);
  CHECK_THROWS_AS(parse_config_text(R"({"optOut":{"users":"alice"},)" + base + "}"), ConfigError);
}

TEST_CASE("config: storage.objectLock becomes the sidecar's --object-lock flags; bad values are refused") {
  const std::string head = R"({"sidecar":{"image":"i"},"storage":{"url":"s3://b/p")";
  const Config off = parse_config_text(head + R"(,"objectLock":{"mode":"","days":0}}})");
  CHECK(off.storage.object_lock_mode.empty());
  const json off_args = sidecar_container(off, {})["args"];
  CHECK(std::find(off_args.begin(), off_args.end(), "--object-lock-mode") == off_args.end());

  const Config on = parse_config_text(head + R"(,"objectLock":{"mode":"COMPLIANCE","days":90}}})");
  const json args = sidecar_container(on, {})["args"];
  auto it = std::find(args.begin(), args.end(), "--object-lock-mode");
  REQUIRE(it != args.end());
  CHECK(*(it + 1) == "COMPLIANCE");
  CHECK(*(it + 2) == "--object-lock-days");
  CHECK(*(it + 3) == "90");

  for (const char* bad : {R"({"mode":"compliance","days":1})", R"({"mode":"GOVERNANCE","days":0})",
                          R"({"mode":"GOVERNANCE","days":36501})", R"({"mode":"","days":5})", R"({"mod":"GOVERNANCE"})",
                          R"({"mode":"GOVERNANCE","days":"7"})"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(parse_config_text(head + R"(,"objectLock":)" + bad + "}}"), ConfigError);
  }
}

TEST_CASE("config: sidecar.stream and sidecar.otlpEndpoint become --stream and --otlp-endpoint; bad values are refused") {
  const std::string head = R"({"storage":{"url":"s3://b/p"},"sidecar":{"image":"i")";
  auto args_of = [&](const std::string& sidecar_keys) { return sidecar_container(parse_config_text(head + sidecar_keys + "}}"), {})["args"]; };
  auto value_after = [](const json& args, const char* flag) -> json {
    auto it = std::find(args.begin(), args.end(), flag);
    return it == args.end() || it + 1 == args.end() ? json() : *(it + 1);
  };
  const json defaults = args_of("");
  CHECK(value_after(defaults, "--stream") == "story");
  CHECK(std::find(defaults.begin(), defaults.end(), "--otlp-endpoint") == defaults.end());

  const json set = args_of(R"(,"stream":"all","otlpEndpoint":"http://otel.monitoring:4318/v1/logs")");
  CHECK(value_after(set, "--stream") == "all");
  CHECK(value_after(set, "--otlp-endpoint") == "http://otel.monitoring:4318/v1/logs");
  for (const char* good : {"http://c/", "http://[fd00::1]:4318/v1/logs", "http://10.0.0.5:65535"}) {
    CAPTURE(good);
    CHECK(value_after(args_of(std::string(R"(,"otlpEndpoint":")") + good + "\""), "--otlp-endpoint") == good);
  }
  // What the sidecar's --otlp-endpoint refuses (it would not start): refused here first.
  for (const char* bad : {R"("stream":"story+files")", R"("stream":"")", R"("otlpEndpoint":"https://otel:4318/v1/logs")",
                          R"("otlpEndpoint":"http://")", R"("otlpEndpoint":"http://:4318/")", R"("otlpEndpoint":"http://h:0/")",
                          R"("otlpEndpoint":"http://h:65536/")", R"("otlpEndpoint":"http://h:43a/")",
                          R"("otlpEndpoint":"http://[::1/v1/logs")", R"("otlpEndpoint":"http://h/a b")",
                          R"("otlpEndpoint":"http://h/\r\nX-Injected: 1")", R"("otlpEndpoint":7)"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(parse_config_text(head + "," + bad + "}}"), ConfigError);
  }
}
