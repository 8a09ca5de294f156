// The join of events to their exec (sidecar/exec_join): events from another ring than their exec
// are held for one more read of every ring, and the read they arrive in does not count.
#include <doctest/doctest.h>

#include "sidecar/exec_join.hpp"

using namespace jobtrail::sidecar;
using nlohmann::json;

namespace {
json exec_event(std::uint64_t exec_id, unsigned pid, const std::string& binary) {
  return {{"type", "process_exec"},
          {"process", {{"exec_id", exec_id}, {"pid", pid}, {"binary", binary}, {"args", {binary, "-t"}},
                       {"args_truncated", false}, {"cwd", "/"}, {"uid", 0}, {"gid", 0}, {"ns_pid", pid},
                       {"parent_exec_id", 1}}}};
}
json setns_event(std::uint64_t exec_id) {
  return {{"type", "priv_syscall"}, {"priv", {{"syscall", "setns"}}}, {"process", {{"exec_id", exec_id}}}};
}
struct Collected {
  std::vector<json> events;
  ExecJoin::Sink sink() {
    return [this](json& e) { events.push_back(e); };
  }
};
}  // namespace

TEST_CASE("an event of a known exec gets the exec's process fields at once") {
  ExecJoin join;
  auto exec = exec_event(7, 100, "/usr/bin/nsenter");
  CHECK(join.arrive(exec) == ExecJoin::Arrival::ready);
  auto ev = setns_event(7);
  REQUIRE(join.arrive(ev) == ExecJoin::Arrival::ready);
  CHECK(ev["process"]["binary"] == "/usr/bin/nsenter");
  CHECK(ev["process"]["args"] == json({"/usr/bin/nsenter", "-t"}));
  CHECK(ev["process"]["pid"] == 100);
  CHECK_FALSE(join.holding());
}

TEST_CASE("an event read before its exec is held until every ring was read once more") {
  ExecJoin join;
  auto ev = setns_event(7);
  REQUIRE(join.arrive(ev) == ExecJoin::Arrival::held);
  CHECK(join.holding());
  Collected out;
  join.release([&] { auto exec = exec_event(7, 100, "/usr/bin/nsenter"); join.arrive(exec); }, out.sink());
  REQUIRE(out.events.size() == 1);
  CHECK(out.events[0]["process"]["binary"] == "/usr/bin/nsenter");
  CHECK(out.events[0]["priv"]["syscall"] == "setns");
  CHECK_FALSE(join.holding());
}

TEST_CASE("an event arriving during the read that releases others waits for the next read") {
  // The CI failure this guards against: the process ring was already read when the exec was
  // committed, the priv ring was read after the setns: released at once, it had no process.
  ExecJoin join;
  auto early = setns_event(3);
  REQUIRE(join.arrive(early) == ExecJoin::Arrival::held);
  Collected out;
  join.release([&] {
    auto exec3 = exec_event(3, 30, "/usr/bin/unshare");
    join.arrive(exec3);
    auto late = setns_event(9);  // its exec is committed, in a ring this read has passed
    CHECK(join.arrive(late) == ExecJoin::Arrival::held);
  }, out.sink());
  REQUIRE(out.events.size() == 1);
  CHECK(out.events[0]["process"]["binary"] == "/usr/bin/unshare");
  CHECK(join.holding());

  join.release([&] { auto exec9 = exec_event(9, 90, "/usr/bin/nsenter"); join.arrive(exec9); }, out.sink());
  REQUIRE(out.events.size() == 2);
  CHECK(out.events[1]["process"]["exec_id"] == 9);
  CHECK(out.events[1]["process"]["binary"] == "/usr/bin/nsenter");
  CHECK(out.events[1]["process"]["pid"] == 90);
}

TEST_CASE("an exec that never comes is released after one more read and at the end as it is") {
  ExecJoin join;
  auto orphan = setns_event(42);  // a process that started before tracing
  REQUIRE(join.arrive(orphan) == ExecJoin::Arrival::held);
  Collected out;
  join.release([] {}, out.sink());
  REQUIRE(out.events.size() == 1);
  CHECK(out.events[0]["process"] == json({{"exec_id", 42}}));

  auto last = setns_event(43);
  REQUIRE(join.arrive(last) == ExecJoin::Arrival::held);
  join.release_all(out.sink());
  REQUIRE(out.events.size() == 2);
  CHECK(out.events[1]["process"]["exec_id"] == 43);
  CHECK_FALSE(join.holding());
}

TEST_CASE("process events and events without an exec are never held") {
  ExecJoin join;
  json exit_unknown = {{"type", "process_exit"}, {"process", {{"exec_id", 5}, {"pid", 50}}}};
  CHECK(join.arrive(exit_unknown) == ExecJoin::Arrival::ready);
  auto no_exec = setns_event(0);
  CHECK(join.arrive(no_exec) == ExecJoin::Arrival::ready);
  CHECK_FALSE(join.holding());
}

TEST_CASE("a forked child's exit keeps its exec joinable and the exec's own exit retires it later") {
  ExecJoin join(/*retired_max=*/1);
  auto exec = exec_event(7, 100, "/bin/sh");
  join.arrive(exec);
  json child_exit = {{"type", "process_exit"}, {"process", {{"exec_id", 7}, {"pid", 101}}}};
  join.arrive(child_exit);
  CHECK(child_exit["process"]["pid"] == 101);  // its own pid is kept, the rest is the exec's
  CHECK(child_exit["process"]["binary"] == "/bin/sh");
  json own_exit = {{"type", "process_exit"}, {"process", {{"exec_id", 7}, {"pid", 100}}}};
  join.arrive(own_exit);
  CHECK(join.find(7) != nullptr);  // retired, still findable for late events of forked children
  auto other = exec_event(8, 200, "/bin/true");
  join.arrive(other);
  json other_exit = {{"type", "process_exit"}, {"process", {{"exec_id", 8}, {"pid", 200}}}};
  join.arrive(other_exit);
  CHECK(join.find(7) == nullptr);  // pushed out of the retirement queue
  CHECK(join.find(8) != nullptr);
}

TEST_CASE("past its byte budget the exec table drops retired entries first, then argv, never events") {
  auto big_exec = [](std::uint64_t exec_id, unsigned pid) {
    json e = exec_event(exec_id, pid, "/bin/true");
    e["process"]["args"] = json::array();
    for (int i = 0; i < 30000; ++i) e["process"]["args"].push_back("x");
    return e;
  };
  ExecJoin join(8192, 8 << 20);  // one 30,000-argument entry is ~2 MiB
  for (std::uint64_t id = 1; id <= 20; ++id) {
    auto exec = big_exec(id, static_cast<unsigned>(100 + id));
    REQUIRE(join.arrive(exec) == ExecJoin::Arrival::ready);
    CHECK(exec["process"]["args"].size() == 30000);  // the event itself keeps its argv
    json exit = {{"type", "process_exit"}, {"process", {{"exec_id", id}, {"pid", 100 + id}}}};
    join.arrive(exit);
    CHECK(join.table().bytes() <= std::size_t{8} << 20);
  }
  CHECK(join.table().size() < 20);  // the oldest retired entries made room
  CHECK(join.table().args_not_kept() == 0);
  CHECK(join.find(20) != nullptr);
  // live execs that never exit: past the budget new ones are kept without argv, then not at all
  for (std::uint64_t id = 100; id < 140; ++id) {
    auto exec = big_exec(id, static_cast<unsigned>(id));
    join.arrive(exec);
    CHECK(join.table().bytes() <= std::size_t{8} << 20);
  }
  CHECK(join.table().args_not_kept() > 0);
  const json* late = join.find(139);
  REQUIRE(late != nullptr);
  CHECK_FALSE(late->contains("args"));
  CHECK((*late)["binary"] == "/bin/true");
  auto ev = setns_event(139);
  REQUIRE(join.arrive(ev) == ExecJoin::Arrival::ready);
  CHECK(ev["process"]["pid"] == 139);
  CHECK_FALSE(ev["process"].contains("args"));
}
