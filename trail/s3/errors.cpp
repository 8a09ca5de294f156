#include "trail/s3/errors.hpp"

#include <algorithm>
#include <pugixml.hpp>

namespace jobtrail::s3 {

ErrorReply parse_error_reply(std::string_view xml) {
  ErrorReply e;
  pugi::xml_document doc;
  if (!doc.load_buffer(xml.data(), xml.size())) return e;
  pugi::xml_node err = doc.child("Error");
  if (!err) err = doc.child("ErrorResponse").child("Error");
  if (!err) return e;
  e.code = err.child_value("Code");
  e.message = err.child_value("Message");
  e.request_id = err.child_value("RequestId");
  if (e.request_id.empty()) e.request_id = doc.child("ErrorResponse").child_value("RequestId");
  return e;
}

std::string code_for_status(unsigned status) {
  switch (status) {
    case 0: return "NetworkError";
    case 301: return "PermanentRedirect";
    case 400: return "BadRequest";
    case 403: return "AccessDenied";
    case 404: return "NoSuchKey";
    case 409: return "Conflict";
    case 412: return "PreconditionFailed";
    case 429: return "TooManyRequests";
    case 500: return "InternalError";
    case 503: return "ServiceUnavailable";
    default: return "HTTP" + std::to_string(status);
  }
}

bool retryable(unsigned status, std::string_view code) {
  if (status == 0 || status == 408 || status == 429 || status >= 500) return true;
  static constexpr std::string_view transient[] = {
      "SlowDown", "RequestTimeout", "Throttling", "ThrottlingException", "RequestThrottled",
      "InternalError", "ServiceUnavailable", "ExpiredToken"};
  return std::find(std::begin(transient), std::end(transient), code) != std::end(transient);
}

std::chrono::milliseconds Backoff::delay(unsigned attempt, std::mt19937_64& rng) const {
  auto ceiling = base.count() << std::min(attempt, 20u);
  ceiling = std::min<long long>(ceiling, cap.count());
  std::uniform_int_distribution<long long> pick(0, ceiling);
  return std::chrono::milliseconds(pick(rng));
}

bool retry_fits(Deadline now, std::chrono::milliseconds delay, Deadline deadline) {
  if (deadline == no_deadline) return true;
  return now < deadline && delay < deadline - now;
}

std::chrono::milliseconds step_timeout(std::chrono::milliseconds step, Deadline now, Deadline deadline) {
  if (deadline == no_deadline) return step;
  if (now >= deadline) return std::chrono::milliseconds(0);
  auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now);
  return std::min(step, left);
}

std::string describe(unsigned status, const ErrorReply& e) {
  std::string out = std::to_string(status);
  out += ' ';
  out += e.code.empty() ? code_for_status(status) : e.code;
  if (!e.message.empty()) out += ": " + e.message;
  if (!e.request_id.empty()) out += " (request id " + e.request_id + ")";
  return out;
}

}  // namespace jobtrail::s3
