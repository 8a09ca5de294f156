#pragma once
// Reading the SigV4 test vectors from the shared folder: request files in the suites' own
// "HTTP request as text" form, turned into s3::RequestParts.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "trail/s3/sigv4.hpp"

namespace vectors {

inline std::filesystem::path shared_dir() {
  return std::filesystem::path(JOBTRAIL_SOURCE_DIR) / ".." / "shared" / "testdata" / "sigv4";
}

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::string trim_trailing_newlines(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

struct ParsedRequest {
  jobtrail::s3::RequestParts parts;
  std::string body;
};

// fold_with: how a continuation line joins the header before it. The AWS suite treats it as a
// new value of the same header (joined by ','), aws-c-auth as obs-fold (a space).
enum class Fold { AsNewValue, AsSpace };

inline ParsedRequest parse_request(const std::string& text, Fold fold) {
  ParsedRequest r;
  std::size_t eol = text.find('\n');
  std::string line = text.substr(0, eol);
  std::size_t sp1 = line.find(' '), sp2 = line.rfind(' ');
  r.parts.method = line.substr(0, sp1);
  std::string target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::size_t q = target.find('?');
  std::string path = target.substr(0, q);
  if (path.empty() || path[0] != '/') path = "/" + path;
  r.parts.path = path;  // the suites write paths raw (spaces, UTF-8)
  if (q != std::string::npos) r.parts.query = jobtrail::s3::parse_query(target.substr(q + 1));
  std::size_t pos = eol == std::string::npos ? text.size() : eol + 1;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string l = text.substr(pos, end - pos);
    pos = end + 1;
    if (l.empty()) {  // blank line: the body follows
      r.body = pos < text.size() ? text.substr(pos) : "";
      break;
    }
    if (l[0] == ' ' || l[0] == '\t') {
      auto& last = r.parts.headers.back();
      std::string cont = l.substr(l.find_first_not_of(" \t"));
      if (fold == Fold::AsSpace)
        last.second += " " + cont;
      else
        r.parts.headers.emplace_back(last.first, cont);
      continue;
    }
    std::size_t colon = l.find(':');
    r.parts.headers.emplace_back(l.substr(0, colon), l.substr(colon + 1));
  }
  return r;
}

// Removes headers the signer adds itself, returning the value of the first one.
inline std::string take_header(jobtrail::s3::RequestParts& parts, const std::string& lower_name) {
  std::string value;
  for (auto it = parts.headers.begin(); it != parts.headers.end();) {
    std::string n = it->first;
    for (auto& c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (n == lower_name) {
      if (value.empty()) value = jobtrail::s3::canonical_header_value(it->second);
      it = parts.headers.erase(it);
    } else {
      ++it;
    }
  }
  return value;
}

}  // namespace vectors
