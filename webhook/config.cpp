#include "config.hpp"

#include <set>
#include <string_view>

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

// The URLs the sidecar's --otlp-endpoint takes (parse_http_url, sidecar/otlp_exporter.cpp): http://,
// a host (or [IPv6]), an optional port 1..65535, a path; no space or control byte anywhere. A value
// the sidecar would refuse must be refused here: the sidecar would not start, nor would the pod.
bool is_plain_http_url(std::string_view url) {
  constexpr std::string_view scheme = "http://";
  if (!url.starts_with(scheme) || url.size() > 2048) return false;
  for (char c : url)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
  url.remove_prefix(scheme.size());
  std::string_view authority = url.substr(0, url.find('/'));
  std::string_view host = authority, port = "80";
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return false;
    host = authority.substr(1, close - 1);
    const auto rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return false;
      port = rest.substr(1);
    }
  } else if (const auto colon = authority.find(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty() || port.empty() || port.size() > 5) return false;
  unsigned p = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return false;
    p = p * 10 + static_cast<unsigned>(c - '0');
  }
  return p >= 1 && p <= 65535;
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
                  "segmentMaxBytes", "segmentMaxAgeSeconds", "logLevel", "httpPort", "memoryBudgetMib", "ringBufferKib",
                  "signingSecretName", "stream", "otlpEndpoint"});
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
  take(sidecar, "ringBufferKib", s.ring_buffer_kib, "sidecar");
  take(sidecar, "signingSecretName", s.signing_secret_name, "sidecar");
  take(sidecar, "stream", s.stream, "sidecar");
  take(sidecar, "otlpEndpoint", s.otlp_endpoint, "sidecar");
  if (s.image.empty()) throw ConfigError("sidecar.image is required");
  require_one_of(s.mode, {"native", "container"}, "sidecar.mode");
  require_one_of(s.files, {"folded", "all", "off"}, "sidecar.files");
  require_one_of(s.stream, {"story", "files", "all"}, "sidecar.stream");
  if (!s.otlp_endpoint.empty() && !is_plain_http_url(s.otlp_endpoint))
    throw ConfigError("sidecar.otlpEndpoint must be http://HOST:PORT/PATH (plain HTTP), or empty");
  require_one_of(s.image_pull_policy, {"Always", "IfNotPresent", "Never"}, "sidecar.imagePullPolicy");
  if (!s.resources.is_object()) throw ConfigError("sidecar.resources must be an object");
  if (!s.spool_host_path.empty() && (s.spool_host_path[0] != '/' || s.spool_host_path.find("..") != std::string::npos))
    throw ConfigError("sidecar.spoolHostPath must be an absolute path without '..' (or empty for an emptyDir)");
  if (s.spool_max_bytes < (1u << 20)) throw ConfigError("sidecar.spoolMaxBytes must be at least 1 MiB");
  if (s.http_port < 1 || s.http_port > 65535) throw ConfigError("sidecar.httpPort out of range");
  if (s.flush_deadline_seconds < 1 || s.flush_deadline_seconds > 3600)
    throw ConfigError("sidecar.flushDeadlineSeconds out of range (1..3600)");
  if (s.memory_budget_mib < 100) throw ConfigError("sidecar.memoryBudgetMib must be >= 100");
  // The sidecar's own rules, so that a value it would refuse at start (exit 1, and the runner pod
  // deleted) is refused here, when the configuration loads. Smaller rings are for tests: an exec
  // record with 64 KiB of argv (~80 KiB) would never fit. A power of two from 128 KiB is a whole
  // number of pages on 4 KiB and 64 KiB page kernels alike.
  if (s.ring_buffer_kib < 128) throw ConfigError("sidecar.ringBufferKib must be at least 128 (an exec record takes up to ~80 KiB)");
  if (auto why = sidecar::ring_buffer_kib_error(static_cast<std::uint64_t>(s.ring_buffer_kib), 4096); !why.empty())
    throw ConfigError("sidecar.ringBufferKib: " + why);
  if (std::string why; !sidecar::split_memory_budget(static_cast<std::uint64_t>(s.memory_budget_mib) << 20,
                                                      static_cast<std::uint64_t>(s.ring_buffer_kib) << 10, &why))
    throw ConfigError("sidecar.memoryBudgetMib and ringBufferKib: " + why);
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
