#pragma once
// What an S3 (or STS) error reply means: its code and message from the XML body, whether
// trying again can help, and how long to wait before the next try. Pure functions.
#include <chrono>
#include <random>
#include <string>
#include <string_view>

namespace jobtrail::s3 {

struct ErrorReply {
  std::string code;        // "NoSuchKey", "SignatureDoesNotMatch", ... ("" when the body has none)
  std::string message;     // may be empty (RGW often sends <Message/>)
  std::string request_id;
};

// Parses <Error><Code/><Message/><RequestId/></Error> (S3) and
// <ErrorResponse><Error>...</Error><RequestId/></ErrorResponse> (STS). Never throws.
ErrorReply parse_error_reply(std::string_view xml);

// A code for replies without an XML body (HEAD, proxies): from the status alone.
std::string code_for_status(unsigned status);

// Retry on connection errors (status 0), timeouts, 5xx, 429 and the throttling/timeout codes.
bool retryable(unsigned status, std::string_view code);

// Exponential backoff with full jitter: uniform in [0, min(cap, base * 2^attempt)].
struct Backoff {
  std::chrono::milliseconds base{200};
  std::chrono::milliseconds cap{5000};
  std::chrono::milliseconds delay(unsigned attempt, std::mt19937_64& rng) const;
};

// A call's deadline (time_point::max(): none). Retries, their backoff sleeps and each network
// step of an attempt stay inside it, so a caller with a deadline (the archive's flush at pod
// end) is not held past it by retries it cannot see.
using Deadline = std::chrono::steady_clock::time_point;
constexpr Deadline no_deadline = Deadline::max();

// Whether another attempt, after sleeping `delay`, still starts before the deadline.
bool retry_fits(Deadline now, std::chrono::milliseconds delay, Deadline deadline);

// How long one network step may wait: its own timeout, or what is left before the deadline
// (0 when it has passed: the step then times out at once).
std::chrono::milliseconds step_timeout(std::chrono::milliseconds step, Deadline now, Deadline deadline);

// "403 SignatureDoesNotMatch: The request signature we calculated does not match ... (request id X)"
std::string describe(unsigned status, const ErrorReply& e);

}  // namespace jobtrail::s3
