#include <doctest/doctest.h>

#include "synth.hpp"

using nlohmann::json;

namespace {
json ns(std::uint64_t mnt, std::uint64_t net) { return {{"namespaces", {{"mnt", mnt}, {"net", net}}}}; }
}  // namespace

TEST_CASE("egress-tamper: firewall rules, routes and /etc/hosts changed in the job's namespaces") {
  synth::Trail t;
  t.exec(1, 0, "/usr/bin/bash", {"bash", "job.sh"}, ns(100, 200));
  auto ipt = t.exec(2, 1, "/usr/sbin/xtables-nft-multi", {"iptables", "-w", "-t", "filter", "-I", "OUTPUT", "-d", "52.0.0.1", "-j", "DROP"}, ns(100, 200));
  auto nft = t.exec(3, 1, "/usr/sbin/nft", {"nft", "add", "rule", "inet", "f", "output", "drop"}, ns(100, 200));
  auto ip = t.exec(4, 1, "/usr/bin/ip", {"ip", "-4", "ro", "repl", "default", "via", "10.0.0.9"}, ns(100, 200));
  auto hosts = t.open(1, "/etc/hosts", {"write", "append"});
  auto resolv = t.of(1, "file_change", "file", {{"op", "rename"}, {"path", "/tmp/r"}, {"new_path", "/etc/resolv.conf"}, {"result", "ok"}});
  auto fs = t.findings();
  REQUIRE(fs.size() == 5);
  CHECK(fs[0]["id"] == "egress-tamper");
  CHECK(fs[0]["severity"] == "high");
  for (std::size_t i = 0; i < fs.size(); ++i)
    CHECK(fs[i]["evidence"] == json::array({std::vector<std::uint64_t>{ipt, nft, ip, hosts, resolv}[i]}));
}

TEST_CASE("egress-tamper near misses: read-only listings, dockerd's rules, a namespace of its own, reads") {
  synth::Trail t;
  t.exec(1, 0, "/usr/bin/bash", {"bash", "job.sh"}, ns(100, 200));
  t.exec(2, 1, "/usr/sbin/iptables", {"iptables", "-nvL", "OUTPUT"}, ns(100, 200));
  t.exec(3, 1, "/usr/sbin/iptables", {"iptables", "-t", "nat", "-S"}, ns(100, 200));
  t.exec(4, 1, "/usr/sbin/nft", {"nft", "list", "ruleset"}, ns(100, 200));
  t.exec(5, 1, "/usr/bin/ip", {"ip", "route", "show"}, ns(100, 200));
  t.exec(6, 1, "/usr/bin/ip", {"ip", "r", "get", "1.1.1.1"}, ns(100, 200));
  t.exec(7, 1, "/usr/bin/dockerd", {"dockerd"}, ns(100, 200));
  t.exec(8, 7, "/usr/sbin/iptables", {"iptables", "--wait", "-t", "nat", "-N", "DOCKER"}, ns(100, 200));
  t.exec(9, 1, "/usr/bin/ip", {"ip", "route", "add", "default", "dev", "lo"}, ns(100, 201));  // its own net namespace
  t.exec(10, 1, "/usr/bin/ip", {"ip", "-n", "test", "route", "add", "default", "dev", "lo"}, ns(100, 200));
  t.exec(11, 1, "/usr/bin/cp", {"cp", "hosts", "/etc/hosts"}, ns(101, 200));  // a container's own /etc
  t.open(11, "/etc/hosts", {"write", "truncate"});
  t.open(1, "/etc/hosts", {"read"});
  t.open(1, "/etc/resolv.conf", {"read"});
  auto fs = t.findings();
  CHECK_MESSAGE(fs.empty(), json(fs).dump());
}
