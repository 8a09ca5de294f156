#include "token_audience.hpp"

#include <set>

namespace jobtrail::webhook {
namespace {
using nlohmann::json;

const json& member(const json& obj, const char* key) {
  static const json null;
  if (!obj.is_object()) return null;
  const auto it = obj.find(key);
  return it == obj.end() ? null : *it;
}

// Names of the pod's volumes that project a service-account token for `audience`.
std::set<std::string> token_volumes(const json& spec, const std::string& audience) {
  std::set<std::string> out;
  const json& volumes = member(spec, "volumes");
  if (!volumes.is_array()) return out;
  for (const auto& v : volumes) {
    const json& sources = member(member(v, "projected"), "sources");
    if (!sources.is_array() || !member(v, "name").is_string()) continue;
    for (const auto& s : sources) {
      const json& token = member(s, "serviceAccountToken");
      if (!token.is_object()) continue;
      // No audience means the API server's own, which the role's trust policy does not accept.
      if (member(token, "audience") == audience) out.insert(member(v, "name").get<std::string>());
    }
  }
  return out;
}
}  // namespace

std::string token_reader(const json& spec, const std::string& audience, const std::string& allowed_container) {
  const auto volumes = token_volumes(spec, audience);
  if (volumes.empty()) return {};
  for (const char* list : {"initContainers", "containers", "ephemeralContainers"}) {
    const json& items = member(spec, list);
    if (!items.is_array()) continue;
    for (const auto& c : items) {
      const json& name = member(c, "name");
      const std::string n = name.is_string() ? name.get<std::string>() : "";
      if (!allowed_container.empty() && n == allowed_container) continue;
      const json& mounts = member(c, "volumeMounts");
      if (!mounts.is_array()) continue;
      for (const auto& m : mounts) {
        const json& v = member(m, "name");
        if (v.is_string() && volumes.count(v.get<std::string>())) return n + "/" + v.get<std::string>();
      }
    }
  }
  return {};
}

}  // namespace jobtrail::webhook
