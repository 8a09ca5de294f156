#pragma once
// Shared helpers for tests against the RGW that the ctest fixture started (tests/storage/rgw.sh):
// its endpoint and keys, a client built the way the sidecar builds one, and Debian's awscli
// as an independent second client.
#include <doctest/doctest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <unistd.h>

#include "trail/s3/s3_client.hpp"
#include "trail/s3/s3_store.hpp"

namespace rgw {

// The fixture's state folder (RGW_STATE overrides, for running a binary by hand against another RGW).
inline std::string state_dir() {
  const char* d = std::getenv("RGW_STATE");
  return d ? d : RGW_STATE_DIR;
}
inline std::string rgw_sh() { return RGW_SH_PATH; }

inline std::map<std::string, std::string> env_file() {
  const std::string dir = state_dir();
  std::ifstream in(std::string(dir) + "/env");
  REQUIRE_MESSAGE(in, "no " << dir << "/env: did the rgw fixture start?");
  std::map<std::string, std::string> out;
  std::string line;
  while (std::getline(in, line))
    if (auto eq = line.find('='); eq != std::string::npos) out[line.substr(0, eq)] = line.substr(eq + 1);
  return out;
}

inline std::string endpoint() { return env_file().at("S3_ENDPOINT"); }

inline jobtrail::s3::Credentials good_credentials() {
  auto e = env_file();
  return {e.at("AWS_ACCESS_KEY_ID"), e.at("AWS_SECRET_ACCESS_KEY"), ""};
}

inline jobtrail::s3::ClientOptions options_for(const std::string& ep) {
  jobtrail::storage::StoreOptions so;
  so.endpoint = ep;
  so.path_style = true;
  auto o = jobtrail::s3::client_options(so);
  o.backoff.base = std::chrono::milliseconds(50);
  o.backoff.cap = std::chrono::milliseconds(1000);
  return o;
}

inline std::shared_ptr<jobtrail::s3::S3Client> client(const std::string& ep = endpoint(),
                                                      jobtrail::s3::Credentials c = good_credentials()) {
  return std::make_shared<jobtrail::s3::S3Client>(
      options_for(ep), std::make_shared<jobtrail::s3::StaticProvider>(c, "test"));
}

inline std::string unique_bucket(const std::string& what) {
  static int n = 0;
  return "t-" + what + "-" + std::to_string(::getpid()) + "-" + std::to_string(n++);
}

// Runs a shell command, returns {exit status, stdout}.
inline std::pair<int, std::string> sh(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p);
  std::array<char, 4096> buf{};
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  int st = ::pclose(p);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

// Debian's awscli (/usr/bin/aws), pointed at our RGW with the test user's keys.
inline std::string aws() {
  auto e = env_file();
  std::string bin = ::access("/usr/bin/aws", X_OK) == 0 ? "/usr/bin/aws" : "aws";
  return "env AWS_ACCESS_KEY_ID=" + e.at("AWS_ACCESS_KEY_ID") + " AWS_SECRET_ACCESS_KEY=" +
         e.at("AWS_SECRET_ACCESS_KEY") + " AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true " + bin +
         " --endpoint-url " + e.at("S3_ENDPOINT") + " ";
}

inline std::string temp_dir() {
  std::string d = std::string(JOBTRAIL_BINARY_DIR) + "/tests/storage/tmp-" + std::to_string(::getpid());
  std::filesystem::create_directories(d);
  return d;
}

}  // namespace rgw
