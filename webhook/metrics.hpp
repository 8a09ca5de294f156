// Counters and a latency histogram, rendered as Prometheus text. Thread-safe.
#pragma once
#include <array>
#include <atomic>
#include <map>
#include <mutex>
#include <string>

namespace jobtrail::webhook {

class Metrics {
 public:
  void count_request(const std::string& outcome, double seconds);
  void count_skip(const std::string& reason);
  void count_reload(const std::string& what, bool ok);
  // A request or connection turned away by a limit: connections, in_flight, body_size, json_depth, ...
  void count_limit(const std::string& limit);
  void count_refusal(const std::string& reason);
  void add_open_connections(long delta) { open_connections_ += delta; }
  void add_requests_in_flight(long delta) { requests_in_flight_ += delta; }
  std::string render() const;

 private:
  static constexpr std::array<double, 10> kBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0};
  mutable std::mutex mutex_;
  std::map<std::string, unsigned long long> requests_;   // by outcome
  std::map<std::string, unsigned long long> skips_;      // by reason
  std::map<std::string, unsigned long long> reloads_;    // "what,result"
  std::map<std::string, unsigned long long> limits_;     // by limit
  std::map<std::string, unsigned long long> refusals_;   // by reason
  std::atomic<long> open_connections_{0};
  std::atomic<long> requests_in_flight_{0};
  std::array<unsigned long long, kBuckets.size()> bucket_counts_{};
  unsigned long long latency_count_ = 0;
  double latency_sum_ = 0;
};

}  // namespace jobtrail::webhook
