// The admission decision as a pure function: AdmissionReview request in, AdmissionReview response out.
#pragma once
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "config.hpp"

namespace jobtrail::webhook {

// The request is not a usable AdmissionReview v1: the server answers HTTP 400 with what() as reason.
class ReviewError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct MutateResult {
  nlohmann::json review;   // the AdmissionReview v1 response
  std::string outcome;     // injected | skipped | refused
  std::string skip_reason; // not_pod, not_create, opted_out, already_injected, conflict, ... (empty if injected)
  nlohmann::json patch;    // the JSONPatch (array; empty when nothing is injected)
  std::string detail;      // for the log: what conflicted, whose opt-out was ignored ("" if nothing)
};

// Who asked and about which pod, for log lines (any field may be empty in a malformed review).
struct ReviewSubject {
  std::string pod;   // namespace/name (or namespace/generateName*)
  std::string user;  // request.userInfo.username
  std::vector<std::string> groups;
};
ReviewSubject review_subject(const nlohmann::json& review);

// JSON Pointer escaping (RFC 6901): '~' -> "~0", '/' -> "~1".
std::string escape_json_pointer(const std::string& token);
// Warnings travel as HTTP headers: at most 120 characters each.
std::string short_warning(std::string text);

MutateResult mutate(const nlohmann::json& review, const Config& config);

}  // namespace jobtrail::webhook
