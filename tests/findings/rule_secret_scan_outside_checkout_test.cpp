#include <doctest/doctest.h>

#include "synth.hpp"

using nlohmann::json;

namespace {
json in(const std::string& cwd) { return {{"process", {{"cwd", cwd}}}}; }
}  // namespace

TEST_CASE("secret-scan-outside-checkout: scanners over the disk, $HOME, a parent of the checkout") {
  synth::Trail t;
  auto npm = t.exec(1, 0, "/usr/bin/node", {"node", "/usr/bin/npm", "install"}, in("/home/runner/_work/r/r"));
  t.exec(2, 1, "/usr/bin/node", {"node", "bundle.js"}, in("/home/runner/_work/r/r/node_modules/evil"));
  auto th = t.exec(3, 2, "/home/runner/.truffler-cache/trufflehog", {"trufflehog", "filesystem", "/", "--json"},
                   in("/home/runner/_work/r/r/node_modules/evil"));
  auto gl = t.exec(4, 0, "/usr/local/bin/gitleaks", {"gitleaks", "detect", "--no-git", "--source=/home/runner"}, in("/home/runner/_work/r/r"));
  auto np = t.exec(5, 0, "/usr/local/bin/noseyparker", {"noseyparker", "scan", "-d", "ds", "../.."}, in("/home/runner/_work/r/r/sub"));
  auto dot = t.exec(6, 0, "/usr/local/bin/trufflehog", {"trufflehog", "filesystem", "."}, in("/"));  // cd / first
  auto fs = t.findings();
  REQUIRE(fs.size() == 4);
  CHECK(fs[0]["id"] == "secret-scan-outside-checkout");
  CHECK(fs[0]["severity"] == "critical");
  CHECK(fs[0]["exec_ids"] == json::array({1, 3}));
  CHECK(fs[0]["evidence"] == json::array({npm, th}));
  CHECK(fs[1]["severity"] == "high");
  CHECK(fs[1]["evidence"] == json::array({gl}));
  CHECK(fs[2]["evidence"] == json::array({np}));
  CHECK(fs[2]["title"].get<std::string>().find("/home/runner/_work/r") != std::string::npos);
  CHECK(fs[3]["evidence"] == json::array({dot}));
}

TEST_CASE("secret-scan-outside-checkout near misses: the lint step over the checkout, remote targets") {
  synth::Trail t;
  t.exec(1, 0, "/usr/local/bin/gitleaks", {"gitleaks", "detect", "--source", ".", "-v"}, in("/home/runner/_work/r/r"));
  t.exec(2, 0, "/usr/local/bin/gitleaks", {"gitleaks", "detect"}, in("/home/runner/_work/r/r/sub"));  // its cwd, in the checkout
  t.exec(3, 0, "/usr/local/bin/trufflehog", {"trufflehog", "git", "file://.", "--only-verified"}, in("/home/runner/_work/r/r"));
  t.exec(4, 0, "/usr/local/bin/trufflehog", {"trufflehog", "github", "--org=octo"}, in("/home/runner/_work/r/r"));
  t.exec(5, 0, "/usr/local/bin/trufflehog", {"trufflehog", "filesystem", "src", "--exclude-paths", "x.txt"}, in("/home/runner/_work/r/r"));
  t.exec(6, 0, "/usr/bin/grep", {"grep", "-r", "password", "/"}, in("/home/runner/_work/r/r"));  // no scanner
  auto fs = t.findings();
  CHECK_MESSAGE(fs.empty(), json(fs).dump());
}
