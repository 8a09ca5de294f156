#include <doctest/doctest.h>

#include "synth.hpp"

TEST_CASE("cloud-metadata flags connections and command lines naming the metadata service") {
  synth::Trail t;
  auto e = t.exec(1, 0, "/usr/bin/curl", {"curl", "http://169.254.169.254/latest/meta-data/iam/security-credentials/"});
  auto c = t.connect(1, "169.254.169.254", 80);
  auto c6 = t.connect(2, "fd00:ec2:0::254", 80);
  auto fs = t.findings();
  REQUIRE(fs.size() == 3);
  for (auto& f : fs) CHECK(f["id"] == "cloud-metadata");
  CHECK(fs[0]["evidence"] == nlohmann::json::array({e}));
  CHECK(fs[1]["evidence"] == nlohmann::json::array({c}));
  CHECK(fs[2]["evidence"] == nlohmann::json::array({c6}));
}

TEST_CASE("cloud-metadata near miss: another link-local address") {
  synth::Trail t;
  t.connect(1, "169.254.1.1", 80);
  t.exec(1, 0, "/usr/bin/curl", {"curl", "http://169.254.1.1/"});
  CHECK(t.findings().empty());
}

TEST_CASE("hardcoded-ip flags a public address no DNS answer explains once per destination") {
  synth::Trail t;
  t.dns_query(1, "github.com");
  t.dns_answer(1, "github.com", "140.82.121.4");
  t.connect(1, "140.82.121.4", 443);                      // explained by the answer
  t.connect(1, "13.107.42.16", 443, "pipelines.example");  // annotated by the sidecar
  auto c = t.connect(2, "203.0.113.9", 4443);
  t.connect(2, "203.0.113.9", 4443);
  t.connect(2, "127.0.0.1", 8080);
  t.connect(2, "10.96.0.1", 443);  // a cluster service
  auto fs = t.findings();
  REQUIRE(fs.size() == 1);
  CHECK(fs[0]["id"] == "hardcoded-ip");
  CHECK(fs[0]["evidence"] == nlohmann::json::array({c}));
  CHECK(fs[0]["title"].get<std::string>().find("203.0.113.9:4443") != std::string::npos);
}

TEST_CASE("hardcoded-ip with private addresses switched on") {
  synth::Trail t;
  t.connect(2, "10.96.0.1", 443);
  jobtrail::findings::Config cfg;
  cfg.hardcoded_ip_private = true;
  CHECK(synth::ids(t.findings(cfg)) == std::vector<std::string>{"hardcoded-ip"});
}

TEST_CASE("domain-not-allowed flags names outside the allow-list with wildcards") {
  synth::Trail t;
  t.dns_query(1, "github.com");
  t.dns_query(1, "objects.githubusercontent.com.");
  auto q = t.dns_query(1, "gist.githubusercontent.com.evil.test");
  t.dns_query(1, "gist.githubusercontent.com.evil.test");
  jobtrail::findings::Config cfg;
  cfg.allowed_domains = {"github.com", "*.githubusercontent.com"};
  auto fs = t.findings(cfg);
  REQUIRE(fs.size() == 1);
  CHECK(fs[0]["id"] == "domain-not-allowed");
  CHECK(fs[0]["evidence"] == nlohmann::json::array({q}));
  CHECK(t.findings().empty());  // no allow-list: the rule is idle
}

TEST_CASE("crypto-mining flags stratum URLs and miner binaries and pool names and ports") {
  synth::Trail t;
  auto a = t.exec(1, 0, "/tmp/.x/xmrig", {"xmrig", "-o", "pool.test:3333"});
  auto b = t.exec(2, 0, "/tmp/.x/run", {"run", "--url", "stratum+tcp://pool.test:3333"});
  auto c = t.dns_query(2, "xmr-eu1.nanopool.org");
  auto d = t.connect(2, "198.51.100.7", 3333);
  std::vector<nlohmann::json> fs;
  for (auto& f : t.findings())
    if (f["id"] == "crypto-mining") fs.push_back(f);  // the connect is also a hardcoded-ip
  REQUIRE(fs.size() == 4);
  for (auto& f : fs) CHECK(f["id"] == "crypto-mining");
  CHECK(fs[0]["evidence"] == nlohmann::json::array({a}));
  CHECK(fs[1]["evidence"] == nlohmann::json::array({b}));
  CHECK(fs[2]["evidence"] == nlohmann::json::array({c}));
  CHECK(fs[3]["evidence"] == nlohmann::json::array({d}));
  CHECK(fs[3]["severity"] == "medium");
}

TEST_CASE("crypto-mining near misses: a local test server on 4444 and nanopool lookalikes") {
  synth::Trail t;
  t.connect(1, "127.0.0.1", 4444);
  t.dns_query(1, "notnanopool.org");
  t.exec(1, 0, "/usr/bin/echo", {"echo", "stratum"});
  CHECK(t.findings().empty());
}
