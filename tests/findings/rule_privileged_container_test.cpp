#include <doctest/doctest.h>

#include "synth.hpp"

TEST_CASE("privileged-container flags --privileged and -v /:/host and --pid=host") {
  synth::Trail t;
  auto a = t.exec(1, 0, "/usr/bin/docker", {"docker", "-H", "unix:///var/run/docker.sock", "run", "--rm", "--privileged", "alpine", "sh"});
  auto b = t.exec(2, 0, "/usr/bin/podman", {"podman", "container", "create", "-v", "/:/host", "alpine"});
  auto c = t.exec(3, 0, "/usr/local/bin/nerdctl", {"nerdctl", "run", "--pid=host", "--volume=/:/h:ro", "alpine"});
  auto d = t.exec(4, 0, "/usr/bin/curl", {"curl", "--unix-socket", "/var/run/docker.sock", "-d",
                                          "{\"HostConfig\":{\"Privileged\":true}}", "http://x/containers/create"});
  auto e = t.exec(5, 0, "/usr/bin/true", {"docker", "run", "--mount", "type=bind,source=/,target=/host", "alpine"});
  auto fs = t.findings();
  REQUIRE(fs.size() == 5);
  for (auto& f : fs) CHECK(f["id"] == "privileged-container");
  CHECK(fs[0]["evidence"] == nlohmann::json::array({a}));
  CHECK(fs[0]["severity"] == "critical");
  CHECK(fs[1]["evidence"] == nlohmann::json::array({b}));
  CHECK(fs[2]["evidence"] == nlohmann::json::array({c}));
  CHECK(fs[2]["title"].get<std::string>().find("--pid=host --volume /:/h:ro") != std::string::npos);
  CHECK(fs[3]["evidence"] == nlohmann::json::array({d}));
  CHECK(fs[4]["evidence"] == nlohmann::json::array({e}));
}

TEST_CASE("privileged-container near misses: plain docker.sock use and flags after the image") {
  synth::Trail t;
  t.exec(1, 0, "/usr/bin/docker", {"docker", "-H", "unix:///var/run/docker.sock", "ps"});
  t.exec(2, 0, "/usr/bin/docker", {"docker", "run", "--rm", "-v", "/home/runner/_work:/work", "alpine", "true"});
  t.exec(3, 0, "/usr/bin/docker", {"docker", "run", "alpine", "echo", "--privileged", "-v", "/:/x"});
  t.exec(4, 0, "/usr/bin/curl", {"curl", "--unix-socket", "/var/run/docker.sock", "http://x/containers/json"});
  t.exec(5, 0, "/usr/bin/docker", {"docker", "exec", "--privileged", "c1", "sh"});
  t.exec(6, 0, "/usr/bin/docker", {"docker", "build", "-t", "x", "."});
  CHECK(t.findings().empty());
}
