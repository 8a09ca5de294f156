#pragma once
// Classification of destination addresses (text as in net events), for the network rules.
#include <string>

namespace jobtrail::findings {

std::string normalize_address(std::string a);  // strips [..], ::ffff: (IPv4-mapped), lower case
bool is_loopback_or_unspecified(const std::string& a);
bool is_private(const std::string& a);         // 10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7, fe80::/10, 169.254/16
bool is_metadata_address(const std::string& a);  // 169.254.169.254, fd00:ec2::254, 169.254.170.2, 100.100.100.200
bool is_ip_literal(const std::string& a);

}  // namespace jobtrail::findings
