#include <doctest/doctest.h>

#include "synth.hpp"

using synth::ids;

TEST_CASE("tls-verify-disabled flags curl -k and git sslVerify=false with their exec") {
  synth::Trail t;
  auto s1 = t.exec(1, 0, "/usr/bin/curl", {"curl", "-sSLk", "https://example.test/x"});
  t.exec(2, 0, "/usr/bin/git", {"git", "-c", "http.sslVerify=false", "clone", "https://example.test/r"});
  t.exec(3, 0, "/usr/bin/wget", {"wget", "--no-check-certificate", "https://example.test/"});
  t.exec(4, 0, "/usr/bin/git", {"git", "config", "--global", "http.https://x.test/.sslVerify", "false"});
  auto fs = t.findings();
  REQUIRE(fs.size() == 4);
  CHECK(ids(fs) == std::vector<std::string>(4, "tls-verify-disabled"));
  CHECK(fs[0]["exec_ids"] == nlohmann::json::array({1}));
  CHECK(fs[0]["evidence"] == nlohmann::json::array({s1}));
  CHECK(fs[0]["severity"] == "medium");
  CHECK(fs[0]["title"].get<std::string>().find("curl -sSLk") != std::string::npos);
}

TEST_CASE("tls-verify-disabled near misses: curl -o k and sslVerify=true raise nothing") {
  synth::Trail t;
  t.exec(1, 0, "/usr/bin/curl", {"curl", "-ok", "https://example.test/x"});  // -o's value is "k"
  t.exec(2, 0, "/usr/bin/git", {"git", "-c", "http.sslVerify=true", "fetch"});
  t.exec(3, 0, "/usr/bin/ls", {"ls", "-k"});                                   // -k is not curl's
  t.exec(4, 0, "/usr/bin/curl", {"curl", "https://x.test", "--", "-k"});
  CHECK(t.findings().empty());
}

TEST_CASE("tls-verify-disabled by env is flagged once where it is introduced") {
  synth::Trail t;
  t.exec(1, 0, "/usr/bin/bash", {"bash", "step.sh"});
  auto s2 = t.exec(2, 1, "/usr/bin/node", {"node", "app.js"}, {{"env", {{"NODE_TLS_REJECT_UNAUTHORIZED", "0"}}}});
  t.exec(3, 2, "/usr/bin/node", {"node", "child.js"}, {{"env", {{"NODE_TLS_REJECT_UNAUTHORIZED", "0"}}}});  // inherited
  t.exec(4, 1, "/usr/bin/git", {"git", "fetch"}, {{"env", {{"GIT_SSL_NO_VERIFY", "1"}, {"PYTHONHTTPSVERIFY", "0"}}}});
  auto fs = t.findings();
  REQUIRE(fs.size() == 3);
  CHECK(fs[0]["evidence"] == nlohmann::json::array({s2}));
  CHECK(fs[0]["title"].get<std::string>().find("NODE_TLS_REJECT_UNAUTHORIZED=0") != std::string::npos);
  CHECK(fs[1]["exec_ids"] == nlohmann::json::array({4}));
}

TEST_CASE("tls-verify-disabled env near miss: NODE_TLS_REJECT_UNAUTHORIZED=1 raises nothing") {
  synth::Trail t;
  t.exec(1, 0, "/usr/bin/node", {"node"}, {{"env", {{"NODE_TLS_REJECT_UNAUTHORIZED", "1"}, {"PYTHONHTTPSVERIFY", "1"}}}});
  CHECK(t.findings().empty());
}
