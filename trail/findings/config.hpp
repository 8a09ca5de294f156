#pragma once
// Settings of the findings engine, shared by the sidecar and `jobtrail findings`.
#include <cstddef>
#include <set>
#include <string>
#include <vector>

namespace jobtrail::findings {

struct Config {
  std::set<std::string> disabled;            // rule ids switched off
  std::vector<std::string> allowed_domains;  // domain-not-allowed: patterns ("github.com", "*.github.com"); empty = rule idle
  bool hardcoded_ip_private = false;         // hardcoded-ip: also flag private/ULA addresses (noisy in clusters)
  std::size_t max_per_rule = 50;             // findings per rule id; beyond, counted in one closing finding
  std::size_t max_tracked = 65'536;          // execs / addresses / paths remembered (oldest evicted)
};

// True when `name` matches a pattern: exact (case-insensitive), or "*.suffix" matching any
// subdomain of suffix (not suffix itself).
bool domain_allowed(const std::string& name, const std::vector<std::string>& patterns);

}  // namespace jobtrail::findings
