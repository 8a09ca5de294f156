#include "handler.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

#include "json_limits.hpp"
#include "mutate.hpp"

namespace jobtrail::webhook {
namespace {

HttpResponse text(int status, std::string body) { return {status, "text/plain", std::move(body) + "\n"}; }

bool is_json_content_type(const std::string& value) {
  const auto semi = value.find(';');
  std::string media = value.substr(0, semi);
  while (!media.empty() && media.back() == ' ') media.pop_back();
  for (char& c : media) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return media == "application/json";
}

// Names in the review are chosen by whoever created the pod: quoted as JSON strings, so control bytes
// and quotes cannot forge a log line.
std::string quoted(const std::string& text) {
  return nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// One line per skip, refusal or ignored opt-out: which pod, why, who asked.
void log_decision(const nlohmann::json& review, const MutateResult& result) {
  const ReviewSubject who = review_subject(review);
  if (who.pod == "/*" && result.skip_reason == "not_pod") return;  // not a Pod at all: nothing to say
  spdlog::info("webhook: {} pod={} reason={} user={}{}{}", result.outcome, quoted(who.pod),
               result.skip_reason.empty() ? std::string("-") : result.skip_reason, quoted(who.user),
               result.detail.empty() ? "" : " detail=", result.detail.empty() ? "" : quoted(result.detail));
}

HttpResponse mutate_endpoint(const HttpRequest& req, const std::shared_ptr<const Config>& config, Metrics& metrics,
                             std::string& outcome) {
  if (req.method != "POST") return text(405, "method not allowed: use POST");
  if (!is_json_content_type(req.content_type))
    return text(415, "unsupported content type \"" + req.content_type.substr(0, 60) + "\": use application/json");
  if (!config) return text(503, "no valid configuration loaded");
  // Checked on the bytes first: the tree nlohmann builds, and every recursive walk of it, is then bounded.
  if (const std::string over = check_json_limits(req.body, JsonLimits{}); !over.empty()) {
    metrics.count_limit(over.find("deeper") != std::string::npos ? "json_depth" : "json_values");
    return text(400, over);
  }
  const auto review = nlohmann::json::parse(req.body, nullptr, false);
  if (review.is_discarded()) return text(400, "body is not valid JSON");
  try {
    auto result = mutate(review, *config);
    if (result.outcome == "skipped") metrics.count_skip(result.skip_reason);
    if (result.outcome == "refused") metrics.count_refusal(result.skip_reason);
    if (result.outcome != "injected" || !result.detail.empty()) log_decision(review, result);
    outcome = result.outcome;
    return {200, "application/json", result.review.dump()};
  } catch (const ReviewError& e) {
    return text(400, e.what());
  } catch (const nlohmann::json::exception& e) {
    return text(400, std::string("malformed AdmissionReview: ") + e.what());
  }
}

}  // namespace

HttpResponse handle_request(const HttpRequest& req, const std::shared_ptr<const Config>& config, Metrics& metrics) {
  const auto start = std::chrono::steady_clock::now();
  if (req.target == "/mutate") {
    std::string outcome;
    HttpResponse r = mutate_endpoint(req, config, metrics, outcome);
    if (r.status != 200) outcome = "http_" + std::to_string(r.status);
    metrics.count_request(outcome, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    return r;
  }
  if (req.method != "GET") return text(405, "method not allowed");
  if (req.target == "/healthz") return text(200, "ok");
  if (req.target == "/readyz") return config ? text(200, "ready") : text(503, "no valid configuration loaded");
  if (req.target == "/metrics") return {200, "text/plain; version=0.0.4", metrics.render()};
  return text(404, "not found");
}

}  // namespace jobtrail::webhook
