#include <doctest/doctest.h>

#include "synth.hpp"

namespace {
// Only this rule's findings (a setns also raises namespace-enter).
std::vector<nlohmann::json> host_namespace_findings(const synth::Trail& t) {
  std::vector<nlohmann::json> out;
  for (auto& f : t.findings())
    if (f["id"] == "host-namespace") out.push_back(f);
  return out;
}
}  // namespace

TEST_CASE("host-namespace flags the first exec in host namespaces once per set") {
  synth::Trail t;
  auto e = t.exec(1, 0, "/usr/bin/bash", {"bash"}, {{"host_ns", {"net", "pid"}}});
  t.exec(2, 1, "/usr/bin/ls", {"ls"}, {{"host_ns", {"net", "pid"}}});
  auto e3 = t.exec(3, 1, "/usr/bin/ip", {"ip", "a"}, {{"host_ns", {"net"}}});
  auto fs = t.findings();
  REQUIRE(fs.size() == 2);
  CHECK(fs[0]["id"] == "host-namespace");
  CHECK(fs[0]["evidence"] == nlohmann::json::array({e}));
  CHECK(fs[0]["title"].get<std::string>().find("net+pid") != std::string::npos);
  CHECK(fs[1]["evidence"] == nlohmann::json::array({e3}));
}

TEST_CASE("host-namespace near miss: an empty host_ns list") {
  synth::Trail t;
  t.exec(1, 0, "/usr/bin/bash", {"bash"}, {{"host_ns", nlohmann::json::array()}});
  t.exec(2, 0, "/usr/bin/bash", {"bash"});
  CHECK(t.findings().empty());
}

TEST_CASE("host-namespace flags setns into the host's namespaces once per exec") {
  synth::Trail t;
  t.exec(1, 0, "/usr/bin/bash", {"bash"});
  auto s = t.priv(2, "setns", {{"fd", 3}, {"namespaces", {"mnt"}}, {"host_ns", true}, {"host_namespaces", {"mnt"}}});
  t.priv(2, "setns", {{"fd", 4}, {"namespaces", {"net"}}, {"host_ns", true}, {"host_namespaces", {"net"}}});
  auto f = t.priv(3, "setns", {{"fd", 3}, {"namespaces", {"pid"}}, {"host_ns", true}, {"host_namespaces", {"pid"}}},
                  "EPERM");
  auto fs = host_namespace_findings(t);
  REQUIRE(fs.size() == 2);
  CHECK(fs[0]["id"] == "host-namespace");
  CHECK(fs[0]["severity"] == "critical");
  CHECK(fs[0]["exec_ids"] == nlohmann::json::array({2}));
  CHECK(fs[0]["evidence"] == nlohmann::json::array({s}));
  CHECK(fs[0]["title"].get<std::string>().find("host's mnt namespace") != std::string::npos);
  CHECK(fs[1]["evidence"] == nlohmann::json::array({f}));
  CHECK(fs[1]["title"].get<std::string>().find("(failed: EPERM)") != std::string::npos);
}

TEST_CASE("host-namespace near miss: setns into a namespace that is not the host's") {
  synth::Trail t;
  t.priv(2, "setns", {{"fd", 3}, {"namespaces", {"mnt"}}, {"host_ns", false}});
  t.priv(3, "setns", {{"fd", 3}, {"namespaces", {"mnt"}}});  // undecided: no host_ns field
  t.priv(4, "unshare", {{"flags", 0x20000}, {"host_ns", true}});  // only setns carries the verdict
  CHECK(host_namespace_findings(t).empty());
  CHECK(t.findings().size() == 2);  // namespace-enter, for execs 2 and 3
}
