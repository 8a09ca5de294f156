// Helpers of the mutate() tests (mutate_support.hpp).
#include "mutate_support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <openssl/evp.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include "mutate.hpp"
#include "sidecar_spec.hpp"

using namespace jobtrail::webhook;

namespace mutate_test {

namespace {

const std::string kShared = std::string(JOBTRAIL_SOURCE_DIR) + "/../shared/testdata/k8s/";

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

}  // namespace

json load(const std::string& name) {
  std::ifstream in(kShared + name);
  REQUIRE_MESSAGE(in, "missing test data " << name);
  return json::parse(in);
}

Config test_config() {
  return parse_config_text(R"({"sidecar":{"image":"registry.example/jobtrail:0.1.0"},"storage":{"url":"s3://trails/jobtrail"}})");
}

json review_for(const json& pod, const std::string& uid) {
  return {{"apiVersion", "admission.k8s.io/v1"},
          {"kind", "AdmissionReview"},
          {"request",
           {{"uid", uid},
            {"kind", {{"group", ""}, {"version", "v1"}, {"kind", "Pod"}}},
            {"resource", {{"group", ""}, {"version", "v1"}, {"resource", "pods"}}},
            {"namespace", pod["metadata"].value("namespace", "default")},
            {"operation", "CREATE"},
            {"object", pod},
            {"dryRun", false}}}};
}

std::string base64_decode(const std::string& in) {
  std::string out(in.size(), '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  REQUIRE(n >= 0);
  while (!in.empty() && in.back() == '=' && n > 0 && out[static_cast<std::size_t>(n) - 1] == '\0') --n;  // padding
  out.resize(static_cast<std::size_t>(n));
  return out;
}


json kubectl_apply(const json& pod, const json& patch) {
  char path[] = "/tmp/jobtrail-webhook-pod-XXXXXX";
  const int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  const std::string body = pod.dump();
  REQUIRE(write(fd, body.data(), body.size()) == static_cast<ssize_t>(body.size()));
  close(fd);
  const std::string cmd = "kubectl patch --local -f " + std::string(path) + " --type=json -p " + shell_quote(patch.dump()) +
                          " -o json 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p);
  std::string out;
  char buf[65536];
  for (std::size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  const int rc = pclose(p);
  unlink(path);
  REQUIRE_MESSAGE(rc == 0, "kubectl patch failed: " << out);
  return json::parse(out);
}

json without_ours(json pod, const json& before) {
  auto& spec = pod["spec"];
  for (const char* list : {"initContainers", "containers"}) {
    if (!spec.contains(list)) continue;
    json kept = json::array();
    for (auto& c : spec[list])
      if (c["name"] != kSidecarName) kept.push_back(c);
    spec[list] = kept;
    if (kept.empty() && !before["spec"].contains(list)) spec.erase(list);
  }
  json vols = json::array();
  const std::set<std::string> ours{kVolumeHostCgroup, kVolumeSpool, kVolumePodinfo, kVolumeCa, kVolumeToken, kVolumeSigning};
  for (auto& v : spec["volumes"])
    if (!ours.count(v["name"].get<std::string>())) vols.push_back(v);
  spec["volumes"] = vols;
  if (vols.empty() && !before["spec"].contains("volumes")) spec.erase("volumes");
  auto& ann = pod["metadata"]["annotations"];
  ann.erase("jobtrail.io/status");
  ann.erase("jobtrail.io/version");
  if (ann.empty() && !before["metadata"].contains("annotations")) pod["metadata"].erase("annotations");
  if (before["spec"].contains("terminationGracePeriodSeconds"))
    spec["terminationGracePeriodSeconds"] = before["spec"]["terminationGracePeriodSeconds"];
  else
    spec.erase("terminationGracePeriodSeconds");
  return pod;
}

const json* find_env(const json& container, const std::string& name) {
  for (const auto& e : container["env"])
    if (e["name"] == name) return &e;
  return nullptr;
}

long long effective_grace(const json& pod) {
  const auto& spec = pod.at("spec");
  const auto it = spec.find("terminationGracePeriodSeconds");
  return it == spec.end() || it->is_null() ? 30 : it->get<long long>();
}

json as_defaulted(json pod) {
  for (auto& c : pod["spec"]["initContainers"]) {
    if (c["name"] != kSidecarName) continue;
    c["terminationMessagePath"] = "/dev/termination-log";
    c["terminationMessagePolicy"] = "File";
    c["startupProbe"]["timeoutSeconds"] = 1;
    c["startupProbe"]["successThreshold"] = 1;
    c["startupProbe"]["httpGet"]["scheme"] = "HTTP";
    for (auto& e : c["env"])
      if (e.contains("valueFrom") && e["valueFrom"].contains("fieldRef")) e["valueFrom"]["fieldRef"]["apiVersion"] = "v1";
  }
  for (auto& v : pod["spec"]["volumes"])
    if (v.contains("downwardAPI")) v["downwardAPI"]["defaultMode"] = 420;
  return pod;
}

json inject_and_check(const json& pod) {
  const Config config = test_config();
  const auto result = mutate(review_for(pod), config);
  REQUIRE(result.outcome == "injected");
  const auto& response = result.review["response"];
  CHECK(response["uid"] == "uid-1");
  CHECK(response["allowed"] == true);
  CHECK(response["patchType"] == "JSONPatch");
  CHECK(json::parse(base64_decode(response["patch"].get<std::string>())) == result.patch);
  for (const auto& w : response.value("warnings", json::array())) CHECK(w.get<std::string>().size() <= 120);

  const json patched = kubectl_apply(pod, result.patch);
  const auto& sidecar = patched["spec"]["initContainers"][0];
  CHECK(sidecar["name"] == kSidecarName);
  CHECK(sidecar["restartPolicy"] == "Always");
  CHECK(sidecar["startupProbe"]["httpGet"]["path"] == "/readyz");
  CHECK(sidecar["startupProbe"]["httpGet"]["port"] == 9477);
  CHECK(sidecar["securityContext"]["privileged"] == true);
  CHECK(sidecar["image"] == "registry.example/jobtrail:0.1.0");
  for (const char* env : {"JOBTRAIL_POD_NAME", "JOBTRAIL_POD_NAMESPACE", "JOBTRAIL_POD_UID", "JOBTRAIL_NODE_NAME",
                          "JOBTRAIL_PRIVILEGED_CONTAINERS", "JOBTRAIL_HOST_NAMESPACE_CONTAINERS", "AWS_ACCESS_KEY_ID"})
    CHECK_MESSAGE(find_env(sidecar, env) != nullptr, env);
  std::set<std::string> volumes;
  for (const auto& v : patched["spec"]["volumes"]) volumes.insert(v["name"].get<std::string>());
  CHECK(volumes.count("jobtrail-host-cgroup"));
  CHECK(volumes.count("jobtrail-spool"));
  CHECK(volumes.count("jobtrail-podinfo"));
  // The spool is on the node, so a trail the store could not take at pod end outlives the pod.
  for (const auto& v : patched["spec"]["volumes"])
    if (v["name"] == "jobtrail-spool") {
      CHECK(v["hostPath"]["path"] == config.sidecar.spool_host_path);
      CHECK(v["hostPath"]["type"] == "DirectoryOrCreate");
    }
  const auto& args = sidecar["args"];
  auto arg = std::find(args.begin(), args.end(), "--spool-max-bytes");
  REQUIRE(arg != args.end());
  CHECK(*std::next(arg) == std::to_string(config.sidecar.spool_max_bytes));
  CHECK(patched["metadata"]["annotations"]["jobtrail.io/status"] == "injected");
  // Absent means Kubernetes' default of 30 s; either way the sidecar must get its flush deadline + margin.
  CHECK(effective_grace(patched) >= config.sidecar.flush_deadline_seconds + 5);
  if (effective_grace(pod) >= config.sidecar.flush_deadline_seconds + 5) {
    for (const auto& op : result.patch) CHECK(op["path"] != "/spec/terminationGracePeriodSeconds");  // left alone
  }
  CHECK(without_ours(patched, pod) == pod);

  // Second pass (reinvocationPolicy: IfNeeded): nothing more to do, also once the API server has
  // added its defaults to what we injected.
  for (const json& seen : {patched, as_defaulted(patched)}) {
    const auto again = mutate(review_for(seen), config);
    CHECK(again.outcome == "skipped");
    CHECK(again.skip_reason == "already_injected");
    CHECK_FALSE(again.review["response"].contains("patch"));
  }
  return patched;
}
json sidecar_of(const json& pod) {
  for (const auto& c : pod["spec"]["initContainers"])
    if (c["name"] == kSidecarName) return c;
  FAIL("no sidecar");
  return {};
}

}  // namespace mutate_test
