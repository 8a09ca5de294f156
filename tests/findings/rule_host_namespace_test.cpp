#include <doctest/doctest.h>

#include "synth.hpp"

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
