// Is this object the one the webhook wrote? Decided from its content, never from its name alone: a
// pod can carry any name, annotation or image it likes.
#pragma once
#include <nlohmann/json.hpp>

namespace jobtrail::webhook {

// True when actual holds every field of expected with the same value, arrays element by element and
// of the same length, and no field beyond those the API server adds by defaulting after our patch
// (terminationMessagePath, probe timeouts, fieldRef.apiVersion, defaultMode, ...). Anything else
// extra (a command that replaces the entrypoint, another env var) makes it not ours.
// Recursive: callers pass documents whose depth check_json_limits has bounded.
bool matches_ours(const nlohmann::json& expected, const nlohmann::json& actual);

}  // namespace jobtrail::webhook
