#include <doctest/doctest.h>

#include "synth.hpp"
#include "trail/findings/egress.hpp"

TEST_CASE("new-egress flags destinations absent from earlier runs") {
  synth::Trail before, now;
  before.dns_query(1, "github.com");
  before.dns_answer(1, "github.com", "140.82.121.4");
  before.connect(1, "140.82.121.4", 443);
  now.dns_query(1, "GitHub.com.");
  auto q = now.dns_query(2, "gist.githubusercontent.com");
  now.dns_answer(2, "gist.githubusercontent.com", "185.199.108.133");
  now.connect(2, "185.199.108.133", 443);
  auto ip = now.connect(3, "203.0.113.9", 8443);
  now.connect(3, "127.0.0.1", 8080);
  jobtrail::findings::Destinations prev, cur;
  for (auto& e : before.events) prev.add(e);
  for (auto& e : now.events) cur.add(e);
  CHECK(prev.keys() == std::set<std::string>{"github.com"});
  auto fs = jobtrail::findings::new_egress(cur, prev.keys(), 3);
  REQUIRE(fs.size() == 2);
  CHECK(fs[0].id == "new-egress");
  CHECK(fs[0].title.find("gist.githubusercontent.com") != std::string::npos);
  CHECK(fs[0].evidence == std::vector<std::uint64_t>{q});
  CHECK(fs[1].title.find("203.0.113.9:8443") != std::string::npos);
  CHECK(fs[1].evidence == std::vector<std::uint64_t>{ip});
  CHECK(jobtrail::findings::new_egress(cur, prev.keys(), 0).empty());  // nothing to compare with
}

TEST_CASE("new-egress near miss: the same destinations as before raise nothing") {
  synth::Trail a;
  a.dns_query(1, "github.com");
  a.connect(1, "140.82.121.4", 443, "github.com");
  jobtrail::findings::Destinations d;
  for (auto& e : a.events) d.add(e);
  CHECK(jobtrail::findings::new_egress(d, d.keys(), 1).empty());
}

TEST_CASE("workflow of a job identity ignores the ref") {
  CHECK(jobtrail::findings::workflow_of({{"GITHUB_WORKFLOW_REF", "o/r/.github/workflows/ci.yml@refs/heads/main"}}) ==
        "o/r/.github/workflows/ci.yml");
  CHECK(jobtrail::findings::workflow_of({{"GITHUB_WORKFLOW", "CI"}}) == "CI");
}
