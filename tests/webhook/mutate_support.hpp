#pragma once
// What the mutate() tests share: the shared runner pods, reviews around a pod, patches applied with
// Kubernetes' own JSONPatch code (`kubectl patch --local`), and the full check of one injection.
#include <string>

#include <nlohmann/json.hpp>

#include "config.hpp"

namespace mutate_test {

using nlohmann::json;

// A pod or review of ../shared/testdata/k8s/.
json load(const std::string& name);
jobtrail::webhook::Config test_config();
json review_for(const json& pod, const std::string& uid = "uid-1");
std::string base64_decode(const std::string& in);
// Applies the patch with Kubernetes' own JSONPatch code.
json kubectl_apply(const json& pod, const json& patch);
// The pod with everything we add taken out again: must equal the pod before.
json without_ours(json pod, const json& before);
const json* find_env(const json& container, const std::string& name);
// The grace period Kubernetes applies: the field, or its default of 30 s when absent.
long long effective_grace(const json& pod);
// What the API server adds to our container and volumes when it decodes the patched pod again
// (pkg/apis/core/v1/defaults.go) before a reinvocation.
json as_defaulted(json pod);
// Injects into `pod` with test_config(), checks everything an injection must hold, and returns
// the patched pod.
json inject_and_check(const json& pod);
// The sidecar container of a patched pod (fails the test when there is none).
json sidecar_of(const json& pod);

}  // namespace mutate_test
