#include "config.hpp"

#include <set>

namespace jobtrail::webhook {
namespace {

using nlohmann::json;

void reject_unknown(const json& obj, const std::string& where, std::set<std::string> known) {
  if (!obj.is_object()) throw ConfigError(where + " must be an object");
  for (const auto& [key, _] : obj.items())
    if (!known.count(key)) throw ConfigError("unknown key " + where + "." + key);
}

template <typename T>
void take(const json& obj, const char* key, T& out, const std::string& where) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return;
  try {
    out = it->get<T>();
  } catch (const json::exception&) {
    throw ConfigError(where + "." + key + " has the wrong type");
  }
}

void require_one_of(const std::string& value, std::set<std::string> allowed, const std::string& what) {
  if (!allowed.count(value)) throw ConfigError(what + " has an invalid value \"" + value + "\"");
}

}  // namespace

Config parse_config(const json& doc) {
  reject_unknown(doc, "config", {"onError", "optOut", "sidecar", "storage"});
  Config c;
  std::string on_error = "allow";
  take(doc, "onError", on_error, "config");
  require_one_of(on_error, {"allow", "deny"}, "onError");
  c.deny_on_error = on_error == "deny";

  const json opt_out = doc.value("optOut", json::object());
  reject_unknown(opt_out, "optOut", {"anyone", "users", "groups"});
  take(opt_out, "anyone", c.opt_out.anyone, "optOut");
  take(opt_out, "users", c.opt_out.users, "optOut");
  take(opt_out, "groups", c.opt_out.groups, "optOut");

  const json sidecar = doc.value("sidecar", json::object());
  reject_unknown(sidecar, "sidecar",
                 {"image", "imagePullPolicy", "mode", "privileged", "capabilities", "resources",
                  "spoolSizeLimit", "spoolHostPath", "spoolMaxBytes", "hostCgroupRoot", "flushDeadlineSeconds", "files",
                  "segmentMaxBytes", "segmentMaxAgeSeconds", "logLevel", "httpPort", "memoryBudgetMib",
                  "signingSecretName"});
  auto& s = c.sidecar;
  take(sidecar, "image", s.image, "sidecar");
  take(sidecar, "imagePullPolicy", s.image_pull_policy, "sidecar");
  take(sidecar, "mode", s.mode, "sidecar");
  take(sidecar, "privileged", s.privileged, "sidecar");
  take(sidecar, "capabilities", s.capabilities, "sidecar");
  take(sidecar, "resources", s.resources, "sidecar");
  take(sidecar, "spoolSizeLimit", s.spool_size_limit, "sidecar");
  take(sidecar, "spoolHostPath", s.spool_host_path, "sidecar");
  take(sidecar, "spoolMaxBytes", s.spool_max_bytes, "sidecar");
  take(sidecar, "hostCgroupRoot", s.host_cgroup_root, "sidecar");
  take(sidecar, "flushDeadlineSeconds", s.flush_deadline_seconds, "sidecar");
  take(sidecar, "files", s.files, "sidecar");
  take(sidecar, "segmentMaxBytes", s.segment_max_bytes, "sidecar");
  take(sidecar, "segmentMaxAgeSeconds", s.segment_max_age_seconds, "sidecar");
  take(sidecar, "logLevel", s.log_level, "sidecar");
  take(sidecar, "httpPort", s.http_port, "sidecar");
  take(sidecar, "memoryBudgetMib", s.memory_budget_mib, "sidecar");
  take(sidecar, "signingSecretName", s.signing_secret_name, "sidecar");
  if (s.image.empty()) throw ConfigError("sidecar.image is required");
  require_one_of(s.mode, {"native", "container"}, "sidecar.mode");
  require_one_of(s.files, {"folded", "all", "off"}, "sidecar.files");
  require_one_of(s.image_pull_policy, {"Always", "IfNotPresent", "Never"}, "sidecar.imagePullPolicy");
  if (!s.resources.is_object()) throw ConfigError("sidecar.resources must be an object");
  if (!s.spool_host_path.empty() && (s.spool_host_path[0] != '/' || s.spool_host_path.find("..") != std::string::npos))
    throw ConfigError("sidecar.spoolHostPath must be an absolute path without '..' (or empty for an emptyDir)");
  if (s.spool_max_bytes < (1u << 20)) throw ConfigError("sidecar.spoolMaxBytes must be at least 1 MiB");
  if (s.http_port < 1 || s.http_port > 65535) throw ConfigError("sidecar.httpPort out of range");
  if (s.flush_deadline_seconds < 1 || s.flush_deadline_seconds > 3600)
    throw ConfigError("sidecar.flushDeadlineSeconds out of range (1..3600)");
  if (s.memory_budget_mib < 100) throw ConfigError("sidecar.memoryBudgetMib must be >= 100");
  if (s.segment_max_age_seconds < 1) throw ConfigError("sidecar.segmentMaxAgeSeconds must be >= 1");
  if (s.host_cgroup_root.empty() || s.host_cgroup_root[0] != '/')
    throw ConfigError("sidecar.hostCgroupRoot must be an absolute path");

  const json storage = doc.value("storage", json::object());
  reject_unknown(storage, "storage",
                 {"url", "endpoint", "region", "pathStyle", "caBundleConfigMap", "credentials", "objectLock"});
  auto& st = c.storage;
  take(storage, "url", st.url, "storage");
  take(storage, "endpoint", st.endpoint, "storage");
  take(storage, "region", st.region, "storage");
  take(storage, "pathStyle", st.path_style, "storage");
  take(storage, "caBundleConfigMap", st.ca_bundle_config_map, "storage");
  if (st.url.empty()) throw ConfigError("storage.url is required");
  const json lock = storage.value("objectLock", json::object());
  reject_unknown(lock, "storage.objectLock", {"mode", "days"});
  take(lock, "mode", st.object_lock_mode, "storage.objectLock");
  take(lock, "days", st.object_lock_days, "storage.objectLock");
  if (!st.object_lock_mode.empty()) {
    require_one_of(st.object_lock_mode, {"GOVERNANCE", "COMPLIANCE"}, "storage.objectLock.mode");
    if (st.object_lock_days < 1 || st.object_lock_days > 36500)
      throw ConfigError("storage.objectLock.days must be 1..36500 with a mode");
  } else if (st.object_lock_days != 0) {
    throw ConfigError("storage.objectLock.days without storage.objectLock.mode");
  }
  const json creds = storage.value("credentials", json::object());
  reject_unknown(creds, "storage.credentials", {"mode", "secretName", "roleArn", "audience"});
  take(creds, "mode", st.credentials_mode, "storage.credentials");
  take(creds, "secretName", st.secret_name, "storage.credentials");
  take(creds, "roleArn", st.role_arn, "storage.credentials");
  take(creds, "audience", st.audience, "storage.credentials");
  require_one_of(st.credentials_mode, {"secret", "webIdentity"}, "storage.credentials.mode");
  if (st.credentials_mode == "secret" && st.secret_name.empty())
    throw ConfigError("storage.credentials.secretName is required in secret mode");
  if (st.credentials_mode == "webIdentity" && st.role_arn.empty())
    throw ConfigError("storage.credentials.roleArn is required in webIdentity mode");
  return c;
}

bool OptOutConfig::allows(const std::string& user, const std::vector<std::string>& user_groups) const {
  if (anyone) return true;
  for (const auto& u : users)
    if (u == user) return true;
  for (const auto& g : groups)
    for (const auto& mine : user_groups)
      if (g == mine) return true;
  return false;
}

Config parse_config_text(const std::string& text) {
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) throw ConfigError("config is not valid JSON");
  return parse_config(doc);
}

}  // namespace jobtrail::webhook
