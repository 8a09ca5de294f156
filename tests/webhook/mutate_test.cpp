// mutate() on the shared runner pods and bare pods: what is injected, how it is recognised on a
// second pass, malformed reviews; patches applied by `kubectl patch --local` (Kubernetes' own code).
#include <doctest/doctest.h>

#include "mutate.hpp"
#include "mutate_support.hpp"
#include "sidecar_spec.hpp"

using namespace jobtrail::webhook;
using namespace mutate_test;
using nlohmann::json;

TEST_CASE("mutate: ARC default runner pod") { inject_and_check(load("arc-runner-default.json")); }

TEST_CASE("mutate: ARC dind runner pod keeps its own native sidecar after ours") {
  const json pod = load("arc-runner-dind.json");
  const json patched = inject_and_check(pod);
  REQUIRE(patched["spec"]["initContainers"].size() == pod["spec"]["initContainers"].size() + 1);
  CHECK(patched["spec"]["initContainers"][1] == pod["spec"]["initContainers"][0]);
  const json* priv = find_env(patched["spec"]["initContainers"][0], "JOBTRAIL_PRIVILEGED_CONTAINERS");
  REQUIRE(priv);
  CHECK((*priv)["value"].get<std::string>().find("dind") != std::string::npos);
}

TEST_CASE("mutate: ARC kubernetes-mode runner pod and its workflow pod") {
  const json runner = load("arc-runner-kubernetes-mode.json");
  const json patched = inject_and_check(runner);
  CHECK(find_env(patched["spec"]["initContainers"][0], "JOBTRAIL_RUNNER_POD") == nullptr);
  // The container hooks label the workflow pods they create with runner-pod=<runner pod name>.
  json workflow = {{"apiVersion", "v1"}, {"kind", "Pod"},
                   {"metadata", {{"name", runner["metadata"]["name"].get<std::string>() + "-workflow"},
                                 {"namespace", "arc-runners"},
                                 {"labels", {{"runner-pod", runner["metadata"]["name"]}}}}},
                   {"spec", {{"restartPolicy", "Never"}, {"containers", {{{"name", "job"}, {"image", "ubuntu:22.04"}}}}}}};
  const json wpatched = inject_and_check(workflow);
  const json* rp = find_env(wpatched["spec"]["initContainers"][0], "JOBTRAIL_RUNNER_POD");
  REQUIRE(rp);
  CHECK((*rp)["value"] == runner["metadata"]["name"]);
}

TEST_CASE("mutate: legacy runner pod (partial)") { inject_and_check(load("arc-legacy-runner-partial.json")); }

TEST_CASE("mutate: the shared AdmissionReview requests") {
  const Config config = test_config();
  const json req = load("admissionreview-request-default.json");
  const auto r = mutate(req, config);
  CHECK(r.outcome == "injected");
  CHECK(r.review["response"]["uid"] == req["request"]["uid"]);
  CHECK(r.review["apiVersion"] == "admission.k8s.io/v1");

  const json dry = load("admissionreview-request-dind-dryrun.json");
  REQUIRE(dry["request"]["dryRun"] == true);
  const auto d = mutate(dry, config);
  CHECK(d.outcome == "injected");  // a dry run is answered exactly like the real request
  const auto d_real = [&] { json x = dry; x["request"]["dryRun"] = false; return mutate(x, config); }();
  CHECK(d.patch == d_real.patch);

  const json scale = load("admissionreview-request-k8s-docs.json");
  const auto s = mutate(scale, config);
  CHECK(s.outcome == "skipped");
  CHECK(s.skip_reason == "not_pod");
  CHECK(s.review["response"]["allowed"] == true);
  CHECK_FALSE(s.review["response"].contains("patch"));
  CHECK(s.review["response"]["uid"] == scale["request"]["uid"]);
}

TEST_CASE("mutate: bare pod without initContainers or volumes or annotations and with generateName") {
  json pod = {{"apiVersion", "v1"}, {"kind", "Pod"},
              {"metadata", {{"generateName", "runner-"}, {"namespace", "ci"}}},
              {"spec", {{"containers", {{{"name", "c"}, {"image", "busybox"}}}}}}};
  const json patched = inject_and_check(pod);
  CHECK(patched["metadata"]["generateName"] == "runner-");
  CHECK_FALSE(patched["metadata"].contains("name"));
}

TEST_CASE("mutate: annotation keys with / and ~ and a kube-api-access volume already present") {
  json pod = load("arc-runner-default.json");
  pod["metadata"]["annotations"]["example.com/a~b"] = "x";
  pod["spec"]["volumes"].push_back({{"name", "kube-api-access-abcde"}, {"projected", {{"sources", json::array()}}}});
  const json patched = inject_and_check(pod);
  CHECK(patched["metadata"]["annotations"]["example.com/a~b"] == "x");
  CHECK(escape_json_pointer("example.com/a~b") == "example.com~1a~0b");
  CHECK(escape_json_pointer("~/~") == "~0~1~0");
  const auto r = mutate(review_for(pod), test_config());
  bool saw_escaped = false;
  for (const auto& op : r.patch) saw_escaped |= op["path"] == "/metadata/annotations/jobtrail.io~1status";
  CHECK(saw_escaped);
}

TEST_CASE("mutate: a pod injected before and defaulted by the API server is recognised as ours") {
  const json pod = load("arc-runner-default.json");
  const json patched = kubectl_apply(pod, mutate(review_for(pod), test_config()).patch);
  const auto again = mutate(review_for(as_defaulted(patched)), test_config());
  CHECK(again.outcome == "skipped");
  CHECK(again.skip_reason == "already_injected");
}

TEST_CASE("mutate: malformed reviews are refused with a reason") {
  const Config c = test_config();
  const json pod = load("arc-runner-default.json");
  CHECK_THROWS_AS(mutate(json::array(), c), ReviewError);
  json v1beta1 = review_for(pod);
  v1beta1["apiVersion"] = "admission.k8s.io/v1beta1";
  CHECK_THROWS_WITH_AS(mutate(v1beta1, c), "not an admission.k8s.io/v1 AdmissionReview", ReviewError);
  json no_uid = review_for(pod);
  no_uid["request"].erase("uid");
  CHECK_THROWS_WITH_AS(mutate(no_uid, c), "request.uid is missing", ReviewError);
  json no_object = review_for(pod);
  no_object["request"].erase("object");
  CHECK_THROWS_AS(mutate(no_object, c), ReviewError);
}

TEST_CASE("short_warning keeps warnings within 120 characters") {
  CHECK(short_warning(std::string(500, 'x')).size() == 120);
  CHECK(short_warning("a\nb") == "a b");
  CHECK(short_warning("ok") == "ok");
}
