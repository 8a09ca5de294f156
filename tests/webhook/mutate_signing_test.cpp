// mutate() with a signing key Secret: its volume, mount and --signing-key reach the sidecar container alone.
#include <doctest/doctest.h>

#include <algorithm>

#include "mutate.hpp"
#include "mutate_support.hpp"
#include "sidecar_spec.hpp"

using namespace jobtrail::webhook;
using namespace mutate_test;
using nlohmann::json;

TEST_CASE("mutate: the signing key Secret is mounted into the sidecar container alone") {
  const json pod = load("arc-runner-default.json");
  const json unsigned_pod = kubectl_apply(pod, mutate(review_for(pod), test_config()).patch);
  CHECK(unsigned_pod.dump().find(kVolumeSigning) == std::string::npos);
  Config config = parse_config_text(
      R"({"sidecar":{"image":"registry.example/jobtrail:0.1.0","signingSecretName":"jobtrail-signing"},"storage":{"url":"s3://trails/jobtrail"}})");
  const json patched = kubectl_apply(pod, mutate(review_for(pod), config).patch);
  const auto& ours = patched["spec"]["initContainers"][0];
  REQUIRE(ours["name"] == kSidecarName);
  const auto& args = ours["args"];
  auto key = std::find(args.begin(), args.end(), "--signing-key");
  REQUIRE(key != args.end());
  CHECK(*(key + 1) == std::string(kSigningKeyDir) + "/key.pem");
  int mounts = 0;
  for (const char* list : {"initContainers", "containers"})
    for (const auto& c : patched["spec"][list])
      for (const auto& m : c.value("volumeMounts", json::array()))
        if (m["name"] == kVolumeSigning) {
          ++mounts;
          CHECK(c["name"] == kSidecarName);
          CHECK(m["readOnly"] == true);
        }
  CHECK(mounts == 1);
  const json* volume = nullptr;
  for (const auto& v : patched["spec"]["volumes"])
    if (v["name"] == kVolumeSigning) volume = &v;
  REQUIRE(volume);
  CHECK((*volume)["secret"]["secretName"] == "jobtrail-signing");
  CHECK((*volume)["secret"]["defaultMode"] == 0400);
  CHECK(without_ours(patched, pod) == pod);
  CHECK_THROWS_AS(parse_config_text(R"({"sidecar":{"image":"i","signingSecret":"x"},"storage":{"url":"s3://t/j"}})"),
                  ConfigError);
}
