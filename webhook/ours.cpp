#include "ours.hpp"

#include <array>
#include <string_view>

namespace jobtrail::webhook {
namespace {

// Fields Kubernetes' defaulting (pkg/apis/core/v1/defaults.go) adds to containers, probes and volumes
// we inject. resources.requests is defaulted from limits. None of them changes what the sidecar runs.
constexpr std::array<std::string_view, 9> kDefaulted{"terminationMessagePath", "terminationMessagePolicy",
                                                     "timeoutSeconds", "successThreshold", "scheme",
                                                     "apiVersion", "defaultMode", "requests", "medium"};

bool is_defaulted(const std::string& key) {
  for (auto k : kDefaulted)
    if (k == key) return true;
  return false;
}

}  // namespace

bool matches_ours(const nlohmann::json& expected, const nlohmann::json& actual) {
  if (expected.is_object()) {
    if (!actual.is_object()) return false;
    for (const auto& [key, value] : expected.items()) {
      const auto it = actual.find(key);
      if (it == actual.end() || !matches_ours(value, *it)) return false;
    }
    for (const auto& [key, _] : actual.items())
      if (!expected.contains(key) && !is_defaulted(key)) return false;
    return true;
  }
  if (expected.is_array()) {
    if (!actual.is_array() || actual.size() != expected.size()) return false;
    for (std::size_t i = 0; i < expected.size(); ++i)
      if (!matches_ours(expected[i], actual[i])) return false;
    return true;
  }
  return expected == actual;
}

}  // namespace jobtrail::webhook
