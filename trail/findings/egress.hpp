#pragma once
// New egress for a workflow: the destinations of a job (DNS names it looked up or connected
// to, and addresses no name explains) compared with those of earlier runs of the same
// repository and workflow. Pure: `jobtrail findings --baseline` does the I/O.
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "trail/findings/finding.hpp"

namespace jobtrail::findings {

struct FirstSeen {
  std::uint64_t seq = 0, exec_id = 0;
  std::string binary;
};

class Destinations {
 public:
  explicit Destinations(std::size_t max = 20'000) : max_(max) {}
  void add(const nlohmann::json& event);  // dns_query, dns_answer, net_connect, net_udp
  // "name" for DNS names (lower case, no trailing dot), "addr:port" for unexplained addresses.
  const std::map<std::string, FirstSeen>& seen() const { return seen_; }
  std::set<std::string> keys() const;
  std::uint64_t dropped() const { return dropped_; }  // beyond `max` (counted, not kept)

 private:
  void note(const std::string& key, const nlohmann::json& ev);
  std::size_t max_;
  std::map<std::string, FirstSeen> seen_;
  std::map<std::string, std::string> answered_;  // address -> name, from dns_answer
  std::uint64_t dropped_ = 0;
};

// One `new-egress` finding per destination of `current` absent from every run in `previous`
// (`runs` = how many earlier runs were compared; 0 gives no findings: nothing to compare with).
std::vector<Finding> new_egress(const Destinations& current, const std::set<std::string>& previous, std::size_t runs);

// The workflow a job identity names: GITHUB_WORKFLOW_REF without "@ref", else GITHUB_WORKFLOW
// (also the lower-case spellings the archive manifest may use).
std::string workflow_of(const nlohmann::json& identity);

}  // namespace jobtrail::findings
