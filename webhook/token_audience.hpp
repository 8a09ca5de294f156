// Which container of a pod could read a service-account token of the sidecar's audience.
// In webIdentity mode the IAM role trusts the runner ServiceAccount's tokens of that audience, and
// a kubernetes-mode job may create pods with that ServiceAccount and a projected token of its own:
// such a pod would get the role that writes trails. Pure.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace jobtrail::webhook {

// The first container (init, regular or ephemeral) other than `allowed_container` that mounts a
// projected serviceAccountToken volume of `audience`, as "container/volume"; "" when none.
// allowed_container "" allows none.
std::string token_reader(const nlohmann::json& spec, const std::string& audience, const std::string& allowed_container);

}  // namespace jobtrail::webhook
