// The join of events to their exec (sidecar/exec_join): one ring in reservation order, so an
// event is joined when it arrives or not at all; the exec table's bounds.
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
}  // namespace

TEST_CASE("an event of a known exec gets the exec's process fields at once") {
  ExecJoin join;
  auto exec = exec_event(7, 100, "/usr/bin/nsenter");
  join.arrive(exec);
  CHECK(exec["process"]["binary"] == "/usr/bin/nsenter");  // the exec itself is unchanged
  auto ev = setns_event(7);
  join.arrive(ev);
  CHECK(ev["process"]["binary"] == "/usr/bin/nsenter");
  CHECK(ev["process"]["args"] == json({"/usr/bin/nsenter", "-t"}));
  CHECK(ev["process"]["pid"] == 100);
  CHECK(ev["priv"]["syscall"] == "setns");
}

TEST_CASE("an event whose exec is not known when it arrives is passed on as it is, nothing waits") {
  // One ring in reservation order: an exec committed later is another exec's, never this one's.
  ExecJoin join;
  auto orphan = setns_event(42);  // a process that started before tracing
  join.arrive(orphan);
  CHECK(orphan["process"] == json({{"exec_id", 42}}));
  auto exec = exec_event(42, 420, "/usr/bin/nsenter");  // a later exec record joins later events only
  join.arrive(exec);
  auto later = setns_event(42);
  join.arrive(later);
  CHECK(later["process"]["binary"] == "/usr/bin/nsenter");
  CHECK(orphan["process"] == json({{"exec_id", 42}}));
}

TEST_CASE("an event's own process fields stay, the exec's fill in the rest") {
  ExecJoin join;
  auto exec = exec_event(7, 100, "/bin/sh");
  join.arrive(exec);
  json child = {{"type", "net_connect"}, {"process", {{"exec_id", 7}, {"pid", 101}, {"tid", 102}}}};
  join.arrive(child);
  CHECK(child["process"]["pid"] == 101);  // a forked child of the exec reports its own pid
  CHECK(child["process"]["tid"] == 102);
  CHECK(child["process"]["binary"] == "/bin/sh");
  CHECK(child["process"]["parent_exec_id"] == 1);
}

TEST_CASE("events without an exec and exits of unknown execs are passed on unjoined") {
  ExecJoin join;
  json exit_unknown = {{"type", "process_exit"}, {"process", {{"exec_id", 5}, {"pid", 50}}}};
  join.arrive(exit_unknown);
  CHECK(exit_unknown["process"] == json({{"exec_id", 5}, {"pid", 50}}));
  auto no_exec = setns_event(0);
  join.arrive(no_exec);
  CHECK(no_exec["process"] == json({{"exec_id", 0}}));
  CHECK(join.table().size() == 0);
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
    join.arrive(exec);
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
  join.arrive(ev);
  CHECK(ev["process"]["pid"] == 139);
  CHECK_FALSE(ev["process"].contains("args"));
}
