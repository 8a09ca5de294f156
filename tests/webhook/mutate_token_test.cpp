// mutate() with web identity credentials: the projected token of the sidecar's audience reaches the
// sidecar container alone, and a pod that holds such a token itself is refused.
#include <doctest/doctest.h>

#include "mutate.hpp"
#include "mutate_support.hpp"
#include "sidecar_spec.hpp"

using namespace jobtrail::webhook;
using namespace mutate_test;
using nlohmann::json;

TEST_CASE("mutate: web identity: only the sidecar container gets the token and the role") {
  const Config config = parse_config_text(
      R"({"sidecar":{"image":"registry.example/jobtrail:0.1.0"},"storage":{"url":"s3://trails/jobtrail",)"
      R"("credentials":{"mode":"webIdentity","roleArn":"arn:aws:iam::1:role/trails","audience":"jobtrail.io/sidecar"}}})");
  for (const char* name : {"arc-runner-default.json", "arc-runner-dind.json", "arc-runner-kubernetes-mode.json"}) {
    CAPTURE(name);
    const json pod = load(name);
    const auto result = mutate(review_for(pod), config);
    REQUIRE(result.outcome == "injected");
    const json patched = kubectl_apply(pod, result.patch);
    CHECK(patched["spec"].value("serviceAccountName", "") == pod["spec"].value("serviceAccountName", ""));
    const json* token = nullptr;
    for (const auto& v : patched["spec"]["volumes"])
      if (v["name"] == kVolumeToken) token = &v;
    REQUIRE(token);
    const auto& source = (*token)["projected"]["sources"][0]["serviceAccountToken"];
    CHECK(source["audience"] == "jobtrail.io/sidecar");
    auto env_of = [](const json& c, const char* key) -> json {
      for (const auto& e : c.value("env", json::array()))
        if (e["name"] == key) return e;
      return nullptr;
    };
    int sidecars = 0;
    for (const char* list : {"initContainers", "containers"}) {
      for (const auto& c : patched["spec"].value(list, json::array())) {
        const bool ours = c["name"] == kSidecarName;
        sidecars += ours;
        bool mounted = false;
        for (const auto& m : c.value("volumeMounts", json::array())) mounted |= m["name"] == kVolumeToken;
        CHECK_MESSAGE(mounted == ours, c["name"]);
        CHECK_MESSAGE(env_of(c, "AWS_ROLE_ARN").is_null() != ours, c["name"]);
        CHECK_MESSAGE(env_of(c, "AWS_WEB_IDENTITY_TOKEN_FILE").is_null() != ours, c["name"]);
        if (!ours) continue;
        CHECK(env_of(c, "AWS_ROLE_ARN")["value"] == "arn:aws:iam::1:role/trails");
        CHECK(env_of(c, "AWS_WEB_IDENTITY_TOKEN_FILE")["value"] == "/var/run/secrets/jobtrail/token/token");
      }
    }
    CHECK(sidecars == 1);
    // Reinvoked on the pod we patched: our own token volume is no reason to refuse.
    CHECK(mutate(review_for(patched), config).skip_reason == "already_injected");
  }
}

TEST_CASE("mutate: web identity: a pod whose own container holds a token of the sidecar's audience is refused") {
  const Config config = parse_config_text(
      R"({"sidecar":{"image":"registry.example/jobtrail:0.1.0"},"storage":{"url":"s3://trails/jobtrail",)"
      R"("credentials":{"mode":"webIdentity","roleArn":"arn:aws:iam::1:role/trails","audience":"jobtrail.io/sidecar"}}})");
  // What a kubernetes-mode job can create: the runner's ServiceAccount and a token it projects itself.
  auto job_pod = [](const std::string& audience, const char* list) {
    json pod = {{"apiVersion", "v1"}, {"kind", "Pod"},
                {"metadata", {{"name", "steal"}, {"namespace", "arc-runners"}}},
                {"spec", {{"serviceAccountName", "jobtrail-runner"},
                          {"containers", {{{"name", "main"}, {"image", "alpine"}}}},
                          {"volumes", {{{"name", "t"}, {"projected", {{"sources", {{{"serviceAccountToken",
                                                                                    {{"audience", audience}, {"path", "t"}}}}}}}}}}}}}};
    json mounter = {{"name", "reader"}, {"image", "alpine"}, {"volumeMounts", {{{"name", "t"}, {"mountPath", "/t"}}}}};
    if (std::string(list) == "containers") pod["spec"]["containers"].push_back(mounter);
    else pod["spec"][list] = json::array({mounter});
    return pod;
  };
  for (const char* list : {"containers", "initContainers", "ephemeralContainers"}) {
    CAPTURE(list);
    const auto r = mutate(review_for(job_pod("jobtrail.io/sidecar", list)), config);
    CHECK(r.outcome == "refused");
    CHECK(r.skip_reason == "token_audience");
    CHECK(r.detail == "reader/t");
    CHECK(r.review["response"]["allowed"] == false);
    CHECK(r.review["response"]["status"]["code"] == 400);
  }
  json opted_out = job_pod("jobtrail.io/sidecar", "containers");
  opted_out["metadata"]["annotations"] = {{"jobtrail.io/inject", "false"}};
  CHECK(mutate(review_for(opted_out), config).skip_reason == "token_audience");  // the opt-out does not help
  json fake_sidecar = job_pod("jobtrail.io/sidecar", "containers");
  fake_sidecar["metadata"]["annotations"] = {{"jobtrail.io/inject", "false"}};
  fake_sidecar["spec"]["containers"][1]["name"] = kSidecarName;  // named like ours, in a pod we do not inject
  CHECK(mutate(review_for(fake_sidecar), config).skip_reason == "token_audience");
  // Another audience is not a token the role trusts: injected as usual.
  CHECK(mutate(review_for(job_pod("vault", "containers")), config).outcome == "injected");
  // In secret mode there is no such token to protect.
  CHECK(mutate(review_for(job_pod("jobtrail.io/sidecar", "containers")), test_config()).outcome == "injected");
}
