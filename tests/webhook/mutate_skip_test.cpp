// mutate() and the ways a pod can ask not to be injected: the opt-out annotation (for the configured
// users and groups only) and forged signs of an earlier injection, injected or refused, never skipped.
#include <doctest/doctest.h>

#include "mutate.hpp"
#include "mutate_support.hpp"
#include "sidecar_spec.hpp"

using namespace jobtrail::webhook;
using namespace mutate_test;
using nlohmann::json;

TEST_CASE("mutate: opt-out and other values of the inject annotation") {
  json pod = load("arc-runner-default.json");
  pod["metadata"]["annotations"]["jobtrail.io/inject"] = "false";
  auto r = mutate(review_for(pod), test_config());
  CHECK(r.skip_reason == "opted_out");
  CHECK_FALSE(r.review["response"].contains("patch"));
  pod["metadata"]["annotations"]["jobtrail.io/inject"] = "no";
  r = mutate(review_for(pod), test_config());
  CHECK(r.outcome == "injected");
  REQUIRE(r.review["response"]["warnings"].size() == 1);
}

TEST_CASE("mutate: forged skips are injected or refused as conflicts, never skipped") {
  const Config config = test_config();
  const json pod = load("arc-runner-default.json");
  SUBCASE("status annotation alone: injected, the sidecar is in the patched pod") {
    json forged = pod;
    forged["metadata"]["annotations"]["jobtrail.io/status"] = "injected";
    const auto r = mutate(review_for(forged), config);
    REQUIRE(r.outcome == "injected");
    CHECK(sidecar_of(kubectl_apply(forged, r.patch))["image"] == config.sidecar.image);
  }
  auto expect_conflict = [&](const json& p, const std::string& what) {
    for (bool deny : {false, true}) {
      Config c = config;
      c.deny_on_error = deny;
      const auto r = mutate(review_for(p), c);
      CHECK_MESSAGE(r.outcome == "refused", what);
      CHECK(r.skip_reason == "conflict");
      CHECK(r.review["response"]["allowed"] == false);
      CHECK(r.review["response"]["status"]["code"] == 400);
      CHECK_FALSE(r.review["response"].contains("patch"));
      CHECK_MESSAGE(r.review["response"]["status"]["message"].get<std::string>().find(what) != std::string::npos,
                    r.review["response"]["status"]["message"]);
    }
  };
  SUBCASE("a container named jobtrail-sidecar of another image") {
    json p = pod;
    p["spec"]["containers"].push_back({{"name", kSidecarName}, {"image", "someone/else:1"}});
    expect_conflict(p, "container jobtrail-sidecar");
  }
  SUBCASE("a container named jobtrail-sidecar of our image that does not run our sidecar") {
    json p = pod;
    p["spec"]["initContainers"] = json::array(
        {{{"name", kSidecarName}, {"image", config.sidecar.image}, {"command", {"sleep", "infinity"}}}});
    p["metadata"]["annotations"]["jobtrail.io/status"] = "injected";
    expect_conflict(p, "container jobtrail-sidecar");
  }
  SUBCASE("our exact injected pod, then an entrypoint override or an extra env var") {
    const json patched = kubectl_apply(pod, mutate(review_for(pod), config).patch);
    json p = patched;
    p["spec"]["initContainers"][0]["command"] = {"/bin/true"};
    expect_conflict(p, "container jobtrail-sidecar");
    p = patched;
    p["spec"]["initContainers"][0]["env"].push_back({{"name", "LD_PRELOAD"}, {"value", "/x.so"}});
    expect_conflict(p, "container jobtrail-sidecar");
    p = patched;  // the facts the sidecar records, hidden
    for (auto& e : p["spec"]["initContainers"][0]["env"])
      if (e["name"] == "JOBTRAIL_SHARED_PROCESS_NAMESPACE") e["value"] = "false";
    p["spec"]["shareProcessNamespace"] = true;
    expect_conflict(p, "container jobtrail-sidecar");
  }
  SUBCASE("a volume with one of our names") {
    json p = pod;
    p["spec"]["volumes"].push_back({{"name", "jobtrail-spool"}, {"hostPath", {{"path", "/tmp"}}}});
    expect_conflict(p, "volume jobtrail-spool");
  }
  SUBCASE("our sidecar present without its volumes") {
    json patched = kubectl_apply(pod, mutate(review_for(pod), config).patch);
    json vols = json::array();
    for (auto& v : patched["spec"]["volumes"])
      if (v["name"] != "jobtrail-spool") vols.push_back(v);
    patched["spec"]["volumes"] = vols;
    expect_conflict(patched, "without its volumes");
  }
  SUBCASE("a job container mounting our spool volume") {
    json p = pod;
    p["spec"]["containers"][0]["volumeMounts"].push_back({{"name", "jobtrail-spool"}, {"mountPath", "/spool"}});
    expect_conflict(p, "mounts volume jobtrail-spool");
  }
  SUBCASE("a jobtrail-* volume that is not one of ours is no conflict") {
    json p = pod;
    p["spec"]["volumes"].push_back({{"name", "jobtrail-cache"}, {"emptyDir", json::object()}});
    inject_and_check(p);
  }
}

TEST_CASE("mutate: opt-out honoured only for the configured users and groups") {
  json pod = load("arc-runner-default.json");
  pod["metadata"]["annotations"]["jobtrail.io/inject"] = "false";
  auto review_by = [&](const std::string& user, json groups) {
    json r = review_for(pod);
    r["request"]["userInfo"] = {{"username", user}, {"groups", groups}};
    return r;
  };
  const json job = review_by("system:serviceaccount:arc-runners:runner", {"system:serviceaccounts"});
  Config config = test_config();
  CHECK(mutate(job, config).skip_reason == "opted_out");  // default: anyone
  config = parse_config_text(R"({"optOut":{"anyone":false,"users":["alice"],"groups":["platform-admins"]},
    "sidecar":{"image":"registry.example/jobtrail:0.1.0"},"storage":{"url":"s3://trails/jobtrail"}})");
  const auto r = mutate(job, config);
  REQUIRE(r.outcome == "injected");
  CHECK(r.detail.find("system:serviceaccount:arc-runners:runner") != std::string::npos);
  bool warned = false;
  for (const auto& w : r.review["response"]["warnings"]) warned |= w.get<std::string>().find("not honoured") != std::string::npos;
  CHECK(warned);
  CHECK(sidecar_of(kubectl_apply(pod, r.patch))["name"] == kSidecarName);
  CHECK(mutate(review_by("alice", json::array()), config).skip_reason == "opted_out");
  CHECK(mutate(review_by("bob", {"platform-admins"}), config).skip_reason == "opted_out");
  CHECK(mutate(review_by("bob", {"platform"}), config).outcome == "injected");
  CHECK(mutate(review_for(pod), config).outcome == "injected");  // no userInfo at all
}
