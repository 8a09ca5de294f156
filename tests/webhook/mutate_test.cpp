// mutate() on the shared runner pods; patches applied by `kubectl patch --local` (Kubernetes' own code).
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
using nlohmann::json;

namespace {
const std::string kShared = std::string(JOBTRAIL_SOURCE_DIR) + "/../shared/testdata/k8s/";

json load(const std::string& name) {
  std::ifstream in(kShared + name);
  REQUIRE_MESSAGE(in, "missing test data " << name);
  return json::parse(in);
}

Config test_config() {
  return parse_config_text(R"({"sidecar":{"image":"registry.example/jobtrail:0.1.0"},"storage":{"url":"s3://trails/jobtrail"}})");
}

json review_for(const json& pod, const std::string& uid = "uid-1") {
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

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Applies the patch with Kubernetes' own JSONPatch code.
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

// The pod with everything we add taken out again: must equal the pod before.
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

// The grace period Kubernetes applies: the field, or its default of 30 s when absent.
long long effective_grace(const json& pod) {
  const auto& spec = pod.at("spec");
  const auto it = spec.find("terminationGracePeriodSeconds");
  return it == spec.end() || it->is_null() ? 30 : it->get<long long>();
}

// What the API server adds to our container and volumes when it decodes the patched pod again
// (pkg/apis/core/v1/defaults.go) before a reinvocation.
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
}  // namespace

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

json sidecar_of(const json& pod) {
  for (const auto& c : pod["spec"]["initContainers"])
    if (c["name"] == kSidecarName) return c;
  FAIL("no sidecar");
  return {};
}

TEST_CASE("mutate: a pod injected before and defaulted by the API server is recognised as ours") {
  const json pod = load("arc-runner-default.json");
  const json patched = kubectl_apply(pod, mutate(review_for(pod), test_config()).patch);
  const auto again = mutate(review_for(as_defaulted(patched)), test_config());
  CHECK(again.outcome == "skipped");
  CHECK(again.skip_reason == "already_injected");
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
