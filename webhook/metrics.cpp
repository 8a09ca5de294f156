#include "metrics.hpp"

#include <sstream>

namespace jobtrail::webhook {

void Metrics::count_request(const std::string& outcome, double seconds) {
  std::lock_guard lock(mutex_);
  ++requests_[outcome];
  for (std::size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) ++bucket_counts_[i];
  ++latency_count_;
  latency_sum_ += seconds;
}

void Metrics::count_skip(const std::string& reason) {
  std::lock_guard lock(mutex_);
  ++skips_[reason];
}

void Metrics::count_reload(const std::string& what, bool ok) {
  std::lock_guard lock(mutex_);
  ++reloads_[what + (ok ? ",ok" : ",rejected")];
}

void Metrics::count_limit(const std::string& limit) {
  std::lock_guard lock(mutex_);
  ++limits_[limit];
}

void Metrics::count_refusal(const std::string& reason) {
  std::lock_guard lock(mutex_);
  ++refusals_[reason];
}

std::string Metrics::render() const {
  std::lock_guard lock(mutex_);
  std::ostringstream out;
  out << "# HELP jobtrail_webhook_requests_total Requests by outcome.\n"
         "# TYPE jobtrail_webhook_requests_total counter\n";
  for (const auto& [outcome, n] : requests_)
    out << "jobtrail_webhook_requests_total{outcome=\"" << outcome << "\"} " << n << "\n";
  out << "# HELP jobtrail_webhook_injections_total Pods injected with the sidecar.\n"
         "# TYPE jobtrail_webhook_injections_total counter\n"
      << "jobtrail_webhook_injections_total " << (requests_.count("injected") ? requests_.at("injected") : 0) << "\n";
  out << "# HELP jobtrail_webhook_skips_total Reviews answered without injection, by reason.\n"
         "# TYPE jobtrail_webhook_skips_total counter\n";
  for (const auto& [reason, n] : skips_)
    out << "jobtrail_webhook_skips_total{reason=\"" << reason << "\"} " << n << "\n";
  out << "# HELP jobtrail_webhook_refusals_total Pods refused (allowed: false), by reason.\n"
         "# TYPE jobtrail_webhook_refusals_total counter\n";
  for (const auto& [reason, n] : refusals_)
    out << "jobtrail_webhook_refusals_total{reason=\"" << reason << "\"} " << n << "\n";
  out << "# HELP jobtrail_webhook_limit_rejections_total Connections and requests turned away by a limit.\n"
         "# TYPE jobtrail_webhook_limit_rejections_total counter\n";
  for (const auto& [limit, n] : limits_)
    out << "jobtrail_webhook_limit_rejections_total{limit=\"" << limit << "\"} " << n << "\n";
  out << "# HELP jobtrail_webhook_open_connections Connections open now.\n"
         "# TYPE jobtrail_webhook_open_connections gauge\n"
      << "jobtrail_webhook_open_connections " << open_connections_.load() << "\n"
      << "# HELP jobtrail_webhook_requests_in_flight Requests received and not answered yet.\n"
         "# TYPE jobtrail_webhook_requests_in_flight gauge\n"
      << "jobtrail_webhook_requests_in_flight " << requests_in_flight_.load() << "\n";
  out << "# HELP jobtrail_webhook_reloads_total Certificate and config reloads.\n"
         "# TYPE jobtrail_webhook_reloads_total counter\n";
  for (const auto& [key, n] : reloads_) {
    auto comma = key.find(',');
    out << "jobtrail_webhook_reloads_total{file=\"" << key.substr(0, comma) << "\",result=\""
        << key.substr(comma + 1) << "\"} " << n << "\n";
  }
  out << "# HELP jobtrail_webhook_request_duration_seconds Time to answer a request.\n"
         "# TYPE jobtrail_webhook_request_duration_seconds histogram\n";
  for (std::size_t i = 0; i < kBuckets.size(); ++i)
    out << "jobtrail_webhook_request_duration_seconds_bucket{le=\"" << kBuckets[i] << "\"} " << bucket_counts_[i] << "\n";
  out << "jobtrail_webhook_request_duration_seconds_bucket{le=\"+Inf\"} " << latency_count_ << "\n"
      << "jobtrail_webhook_request_duration_seconds_sum " << latency_sum_ << "\n"
      << "jobtrail_webhook_request_duration_seconds_count " << latency_count_ << "\n";
  return out.str();
}

}  // namespace jobtrail::webhook
