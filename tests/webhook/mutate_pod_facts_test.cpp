// mutate() and what the webhook records about the pod for the sidecar (shared process namespace,
// host namespaces per container) and the container mode with its capability list.
#include <doctest/doctest.h>

#include <algorithm>

#include "mutate.hpp"
#include "mutate_support.hpp"
#include "sidecar_spec.hpp"

using namespace jobtrail::webhook;
using namespace mutate_test;
using nlohmann::json;

TEST_CASE("mutate: a shared process namespace is recorded in the sidecar's env") {
  json pod = load("arc-runner-default.json");
  const json* env = nullptr;
  auto r = mutate(review_for(pod), test_config());
  env = find_env(r.patch[0]["value"][0], "JOBTRAIL_SHARED_PROCESS_NAMESPACE");
  REQUIRE(env);
  CHECK((*env)["value"] == "false");
  pod["spec"]["shareProcessNamespace"] = true;
  r = mutate(review_for(pod), test_config());
  const json patched = inject_and_check(pod);
  env = find_env(patched["spec"]["initContainers"][0], "JOBTRAIL_SHARED_PROCESS_NAMESPACE");
  REQUIRE(env);
  CHECK((*env)["value"] == "true");
}

TEST_CASE("mutate: container mode and capability list") {
  Config config = test_config();
  config.sidecar.mode = "container";
  config.sidecar.privileged = false;
  const json pod = load("arc-runner-default.json");
  const auto r = mutate(review_for(pod), config);
  const json patched = kubectl_apply(pod, r.patch);
  const auto& last = patched["spec"]["containers"].back();
  CHECK(last["name"] == kSidecarName);
  CHECK_FALSE(last.contains("restartPolicy"));
  CHECK(last["securityContext"]["privileged"] == false);
  CHECK(last["securityContext"]["capabilities"]["add"].size() == config.sidecar.capabilities.size());
  bool exit_when_idle = false;
  for (const auto& a : last["args"]) exit_when_idle |= a == "--exit-when-idle";
  CHECK(exit_when_idle);
  const auto& args = last["args"];
  auto budget = std::find(args.begin(), args.end(), "--memory-budget-mib");
  REQUIRE(budget != args.end());
  CHECK(*(budget + 1) == std::to_string(config.sidecar.memory_budget_mib));
  auto ring = std::find(args.begin(), args.end(), "--ring-buffer-kib");
  REQUIRE(ring != args.end());
  CHECK(*(ring + 1) == std::to_string(config.sidecar.ring_buffer_kib));
  CHECK(without_ours(patched, pod) == pod);
}

TEST_CASE("mutate: host namespaces reported per container") {
  json pod = load("arc-runner-default.json");
  pod["spec"]["hostNetwork"] = true;
  pod["spec"]["hostPID"] = true;
  const auto r = mutate(review_for(pod), test_config());
  const json* env = find_env(r.patch[0]["value"][0], "JOBTRAIL_HOST_NAMESPACE_CONTAINERS");
  REQUIRE(env);
  CHECK((*env)["value"] == "runner:net+pid");
}
