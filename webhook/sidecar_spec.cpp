#include "sidecar_spec.hpp"

namespace jobtrail::webhook {
namespace {
using nlohmann::json;

json field_env(const char* name, const char* path) {
  return {{"name", name}, {"valueFrom", {{"fieldRef", {{"fieldPath", path}}}}}};
}
json value_env(const char* name, const std::string& value) { return {{"name", name}, {"value", value}}; }

void append_joined(std::string& list, const std::string& item) {
  if (!list.empty()) list += ',';
  list += item;
}
}  // namespace

PodFacts pod_facts(const json& pod, const json* skip) {
  // References into the request only: it may be as large and as deep as the limits allow.
  static const json empty = json::object();
  auto member = [](const json& obj, const char* key) -> const json& {
    if (!obj.is_object()) return empty;
    const auto it = obj.find(key);
    return it == obj.end() ? empty : *it;
  };
  PodFacts facts;
  const json& spec = member(pod, "spec");
  // Host namespaces are pod-wide: every container of the pod shares them.
  std::string host;
  auto flag = [&](const char* key, const char* short_name) {
    if (member(spec, key) == true) host += host.empty() ? short_name : std::string("+") + short_name;
  };
  flag("hostNetwork", "net");
  flag("hostPID", "pid");
  flag("hostIPC", "ipc");
  facts.share_process_namespace = member(spec, "shareProcessNamespace") == true;
  for (const char* list : {"initContainers", "containers"}) {
    const json& items = member(spec, list);
    if (!items.is_array()) continue;
    for (const auto& c : items) {
      if (!c.is_object() || &c == skip) continue;
      const json& name_value = member(c, "name");
      const std::string name = name_value.is_string() ? name_value.get<std::string>() : "";
      if (member(member(c, "securityContext"), "privileged") == true) append_joined(facts.privileged_containers, name);
      if (!host.empty()) append_joined(facts.host_namespace_containers, name + ":" + host);
    }
  }
  // actions/runner-container-hooks labels the workflow pods it creates with runner-pod=<runner pod name>.
  const json& runner_pod = member(member(member(pod, "metadata"), "labels"), "runner-pod");
  if (runner_pod.is_string()) facts.runner_pod = runner_pod.get<std::string>();
  return facts;
}

json sidecar_container(const Config& config, const PodFacts& facts) {
  const auto& s = config.sidecar;
  const auto& st = config.storage;
  json args = {"run",
               "--host-cgroup-root", "/host/sys/fs/cgroup",
               "--storage", st.url,
               "--s3-region", st.region,
               "--spool-dir", "/var/spool/jobtrail",
               "--spool-max-bytes", std::to_string(s.spool_max_bytes),
               "--segment-max-bytes", std::to_string(s.segment_max_bytes),
               "--segment-max-age", std::to_string(s.segment_max_age_seconds),
               "--flush-deadline", std::to_string(s.flush_deadline_seconds),
               "--files", s.files,
               "--http-listen", "0.0.0.0:" + std::to_string(s.http_port),
               "--memory-budget-mib", std::to_string(s.memory_budget_mib),
               "--ring-buffer-kib", std::to_string(s.ring_buffer_kib),
               "--log-level", s.log_level,
               "--stream", s.stream};
  if (!st.endpoint.empty()) args.insert(args.end(), {"--s3-endpoint", st.endpoint});
  if (st.path_style) args.push_back("--s3-path-style");
  if (!st.ca_bundle_config_map.empty()) args.insert(args.end(), {"--ca-bundle", "/etc/jobtrail/ca/ca.crt"});
  if (s.mode == "container") args.push_back("--exit-when-idle");
  if (!st.object_lock_mode.empty())
    args.insert(args.end(), {"--object-lock-mode", st.object_lock_mode, "--object-lock-days",
                             std::to_string(st.object_lock_days)});
  if (!s.signing_secret_name.empty()) args.insert(args.end(), {"--signing-key", std::string(kSigningKeyDir) + "/key.pem"});
  if (!s.otlp_endpoint.empty()) args.insert(args.end(), {"--otlp-endpoint", s.otlp_endpoint});

  json env = json::array({field_env("JOBTRAIL_POD_NAME", "metadata.name"),
                          field_env("JOBTRAIL_POD_NAMESPACE", "metadata.namespace"),
                          field_env("JOBTRAIL_POD_UID", "metadata.uid"),
                          field_env("JOBTRAIL_NODE_NAME", "spec.nodeName"),
                          value_env("JOBTRAIL_PRIVILEGED_CONTAINERS", facts.privileged_containers),
                          value_env("JOBTRAIL_HOST_NAMESPACE_CONTAINERS", facts.host_namespace_containers),
                          value_env("JOBTRAIL_SHARED_PROCESS_NAMESPACE", facts.share_process_namespace ? "true" : "false")});
  if (!facts.runner_pod.empty()) env.push_back(value_env("JOBTRAIL_RUNNER_POD", facts.runner_pod));

  json mounts = json::array({
      {{"name", kVolumeHostCgroup}, {"mountPath", "/host/sys/fs/cgroup"}, {"readOnly", true}},
      {{"name", kVolumeSpool}, {"mountPath", "/var/spool/jobtrail"}},
      {{"name", kVolumePodinfo}, {"mountPath", "/etc/jobtrail/podinfo"}, {"readOnly", true}}});
  if (!st.ca_bundle_config_map.empty())
    mounts.push_back({{"name", kVolumeCa}, {"mountPath", "/etc/jobtrail/ca"}, {"readOnly", true}});
  if (!s.signing_secret_name.empty())
    mounts.push_back({{"name", kVolumeSigning}, {"mountPath", kSigningKeyDir}, {"readOnly", true}});

  if (st.credentials_mode == "secret") {
    for (const char* key : {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"})
      env.push_back({{"name", key}, {"valueFrom", {{"secretKeyRef", {{"name", st.secret_name}, {"key", key}}}}}});
  } else {
    env.push_back(value_env("AWS_ROLE_ARN", st.role_arn));
    env.push_back(value_env("AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/secrets/jobtrail/token/token"));
    mounts.push_back({{"name", kVolumeToken}, {"mountPath", "/var/run/secrets/jobtrail/token"}, {"readOnly", true}});
  }

  json security;
  if (s.privileged) {
    security = {{"privileged", true}, {"runAsUser", 0}};
  } else {
    security = {{"privileged", false}, {"runAsUser", 0}, {"allowPrivilegeEscalation", false},
                {"capabilities", {{"drop", {"ALL"}}, {"add", s.capabilities}}}};
  }

  json container = {{"name", kSidecarName},
                    {"image", s.image},
                    {"imagePullPolicy", s.image_pull_policy},
                    {"args", args},
                    {"env", env},
                    {"ports", {{{"name", "jobtrail-http"}, {"containerPort", s.http_port}, {"protocol", "TCP"}}}},
                    {"volumeMounts", mounts},
                    {"securityContext", security},
                    {"resources", s.resources}};
  if (s.mode == "native") {
    container["restartPolicy"] = "Always";
    // Passes only once every BPF program is attached: no process of the pod starts untraced.
    container["startupProbe"] = {{"httpGet", {{"path", "/readyz"}, {"port", s.http_port}}},
                                 {"periodSeconds", 1},
                                 {"failureThreshold", 120}};
  }
  return container;
}

json sidecar_volumes(const Config& config) {
  const auto& st = config.storage;
  json volumes = json::array({
      {{"name", kVolumeHostCgroup}, {"hostPath", {{"path", config.sidecar.host_cgroup_root}, {"type", "Directory"}}}},
      config.sidecar.spool_host_path.empty()
          ? json{{"name", kVolumeSpool}, {"emptyDir", {{"sizeLimit", config.sidecar.spool_size_limit}}}}
          : json{{"name", kVolumeSpool},
                 {"hostPath", {{"path", config.sidecar.spool_host_path}, {"type", "DirectoryOrCreate"}}}},
      {{"name", kVolumePodinfo},
       {"downwardAPI",
        {{"items", {{{"path", "labels"}, {"fieldRef", {{"fieldPath", "metadata.labels"}}}},
                    {{"path", "annotations"}, {"fieldRef", {{"fieldPath", "metadata.annotations"}}}}}}}}}});
  if (!st.ca_bundle_config_map.empty())
    volumes.push_back({{"name", kVolumeCa}, {"configMap", {{"name", st.ca_bundle_config_map}}}});
  if (!config.sidecar.signing_secret_name.empty())  // 0400: the sidecar runs as root, nobody else reads it
    volumes.push_back({{"name", kVolumeSigning},
                       {"secret", {{"secretName", config.sidecar.signing_secret_name}, {"defaultMode", 0400},
                                   {"items", {{{"key", "key.pem"}, {"path", "key.pem"}}}}}}});
  if (st.credentials_mode == "webIdentity")
    volumes.push_back(
        {{"name", kVolumeToken},
         {"projected",
          {{"sources", {{{"serviceAccountToken",
                          {{"audience", st.audience}, {"expirationSeconds", 3600}, {"path", "token"}}}}}}}}});
  return volumes;
}

}  // namespace jobtrail::webhook
