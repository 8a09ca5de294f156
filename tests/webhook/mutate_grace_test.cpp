// mutate() and the pod's terminationGracePeriodSeconds: raised to the sidecar's flush deadline plus
// its margin, with a warning; Kubernetes' default of 30 s counts when the field is absent.
#include <doctest/doctest.h>

#include "mutate.hpp"
#include "mutate_support.hpp"
#include "sidecar_spec.hpp"

using namespace jobtrail::webhook;
using namespace mutate_test;
using nlohmann::json;

TEST_CASE("mutate: grace period raised with a warning") {
  json pod = load("arc-runner-default.json");
  pod["spec"]["terminationGracePeriodSeconds"] = 10;
  const auto r = mutate(review_for(pod), test_config());
  const json patched = kubectl_apply(pod, r.patch);
  CHECK(patched["spec"]["terminationGracePeriodSeconds"] == 30);  // flush deadline 25 + 5
  bool warned = false;
  for (const auto& w : r.review["response"]["warnings"]) {
    CHECK(w.get<std::string>().size() <= 120);
    warned |= w.get<std::string>().find("terminationGracePeriodSeconds") != std::string::npos;
  }
  CHECK(warned);
}

TEST_CASE("mutate: grace period absent counts as 30 s and is set when the flush deadline needs more") {
  const json pod = load("arc-runner-default.json");
  REQUIRE_FALSE(pod["spec"].contains("terminationGracePeriodSeconds"));
  Config config = test_config();
  auto r = mutate(review_for(pod), config);  // 25 + 5 = 30 = the default: nothing to change
  for (const auto& op : r.patch) CHECK(op["path"] != "/spec/terminationGracePeriodSeconds");
  CHECK_FALSE(r.review["response"].contains("warnings"));
  config.sidecar.flush_deadline_seconds = 60;
  r = mutate(review_for(pod), config);
  const json patched = kubectl_apply(pod, r.patch);
  CHECK(patched["spec"]["terminationGracePeriodSeconds"] == 65);
  REQUIRE(r.review["response"]["warnings"].size() == 1);
  CHECK(r.review["response"]["warnings"][0].get<std::string>().find("from 30 to 65") != std::string::npos);
}
