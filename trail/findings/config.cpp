#include "trail/findings/config.hpp"

#include <algorithm>
#include <cctype>

namespace jobtrail::findings {

namespace {
std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  while (!s.empty() && s.back() == '.') s.pop_back();  // "github.com." is github.com
  return s;
}
}  // namespace

bool domain_allowed(const std::string& name, const std::vector<std::string>& patterns) {
  const std::string n = lower(name);
  for (auto& raw : patterns) {
    const std::string p = lower(raw);
    if (p.rfind("*.", 0) == 0) {
      const std::string suffix = p.substr(1);  // ".github.com"
      if (n.size() > suffix.size() && n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0) return true;
    } else if (n == p) {
      return true;
    }
  }
  return false;
}

}  // namespace jobtrail::findings
