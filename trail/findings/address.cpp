#include "trail/findings/address.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace jobtrail::findings {

namespace {
bool v4(const std::string& a, unsigned char out[4]) { return inet_pton(AF_INET, a.c_str(), out) == 1; }
bool v6(const std::string& a, unsigned char out[16]) { return inet_pton(AF_INET6, a.c_str(), out) == 1; }
}  // namespace

std::string normalize_address(std::string a) {
  if (a.size() > 2 && a.front() == '[' && a.back() == ']') a = a.substr(1, a.size() - 2);
  std::transform(a.begin(), a.end(), a.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (a.rfind("::ffff:", 0) == 0 && a.find('.') != std::string::npos) a = a.substr(7);
  unsigned char b[16];
  if (v6(a, b)) {  // canonical text, so fd00:ec2:0::254 equals fd00:ec2::254
    char buf[INET6_ADDRSTRLEN];
    if (inet_ntop(AF_INET6, b, buf, sizeof buf)) a = buf;
  }
  return a;
}

bool is_ip_literal(const std::string& raw) {
  unsigned char b[16];
  auto a = normalize_address(raw);
  return v4(a, b) || v6(a, b);
}

bool is_loopback_or_unspecified(const std::string& raw) {
  auto a = normalize_address(raw);
  unsigned char b[16];
  if (v4(a, b)) return b[0] == 127 || (b[0] == 0);
  if (v6(a, b)) {
    static const unsigned char zero[16] = {};
    if (std::memcmp(b, zero, 15) == 0 && (b[15] == 0 || b[15] == 1)) return true;
  }
  return false;
}

bool is_private(const std::string& raw) {
  auto a = normalize_address(raw);
  unsigned char b[16];
  if (v4(a, b))
    return b[0] == 10 || (b[0] == 172 && (b[1] & 0xf0) == 16) || (b[0] == 192 && b[1] == 168) ||
           (b[0] == 100 && (b[1] & 0xc0) == 64) || (b[0] == 169 && b[1] == 254);
  if (v6(a, b)) return (b[0] & 0xfe) == 0xfc || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80);
  return false;
}

bool is_metadata_address(const std::string& raw) {
  auto a = normalize_address(raw);
  return a == "169.254.169.254" || a == "fd00:ec2::254" || a == "169.254.170.2" || a == "100.100.100.200";
}

}  // namespace jobtrail::findings
