// The job identity rules without a kernel: only a child of the runner's own Runner.Worker (started
// by Runner.Listener, in the runner container and folder, the first of the pod) names the job.
#include <doctest/doctest.h>

#include <map>

#include "sidecar/job_identity.hpp"

using namespace jobtrail::sidecar;
using nlohmann::json;

namespace {

constexpr const char* kRunner = "cri-containerd-aaaa.scope";
constexpr const char* kOther = "cri-containerd-bbbb.scope";

json victim() { return {{"GITHUB_REPOSITORY", "victim/repo"}, {"GITHUB_RUN_ID", "7"}}; }

// Feeds execs as the pipeline does, with a parent lookup in a table of what came before.
struct Pod {
  JobIdentity rules;
  std::map<std::uint64_t, json> table;
  std::vector<json> events;
  std::vector<json> adopted;

  explicit Pod(JobIdentity::PodKind kind = JobIdentity::PodKind::runner) : rules(kind) {}
  void exec(std::uint64_t id, std::uint64_t parent, const std::string& binary, const std::string& container,
            json env = nullptr) {
    json e = {{"type", "process_exec"},
              {"time", "2026-12-01T00:00:00Z"},
              {"process",
               {{"exec_id", id}, {"parent_exec_id", parent}, {"binary", binary}, {"container", {{"cgroup", container}}}}}};
    if (!env.is_null()) e["env"] = env;
    table[id] = {{"binary", binary}, {"parent_exec_id", parent}};
    auto it = table.find(parent);
    auto out = rules.on_exec(e, it == table.end() ? nullptr : &it->second);
    if (!out) return;
    events.push_back(out->event);
    if (out->adopted) adopted.push_back(out->event["job"]);
  }
  // The runner as ARC starts it: run.sh, Runner.Listener, then Runner.Worker for the one job.
  void start_runner() {
    exec(1, 0, "/usr/bin/bash", kRunner);
    exec(2, 1, "/home/runner/bin/Runner.Listener", kRunner);
    exec(3, 2, "/home/runner/bin/Runner.Worker", kRunner);
  }
  int mismatches(const std::string& reason) const {
    int n = 0;
    for (auto& e : events) n += e.value("mismatch", false) && e["reason"] == reason;
    return n;
  }
};

}  // namespace

TEST_CASE("job identity: a step of the runner's own Runner.Worker names the job") {
  Pod pod;
  pod.start_runner();
  pod.exec(4, 3, "/usr/bin/bash", kRunner, victim());
  REQUIRE(pod.adopted.size() == 1);
  CHECK(pod.adopted[0] == victim());
  CHECK(pod.rules.identity() == victim());
  REQUIRE(pod.events.size() == 1);
  CHECK(pod.events[0]["revealed_by"] == 4);
  CHECK_FALSE(pod.events[0].contains("mismatch"));
  pod.exec(5, 3, "/usr/bin/bash", kRunner, victim());  // the next step, same values: nothing to say
  CHECK(pod.events.size() == 1);
}

TEST_CASE("job identity: a copied /tmp/Runner.Worker is a mismatch, never the identity") {
  Pod pod;
  pod.exec(1, 0, "/usr/bin/bash", kRunner);
  pod.exec(2, 1, "/tmp/Runner.Worker", kRunner);
  pod.exec(3, 2, "/usr/bin/sh", kRunner, victim());
  CHECK(pod.adopted.empty());
  CHECK(pod.rules.identity().is_null());
  CHECK(pod.mismatches(identity_reason::not_from_listener) == 1);
  CHECK(pod.events[0]["job"] == victim());
  CHECK(pod.events[0]["revealed_by"] == 3);
}

TEST_CASE("job identity: a forged worker before the real runner does not take the runner's place") {
  Pod pod;
  pod.exec(10, 0, "/tmp/Runner.Worker", kRunner);
  pod.exec(11, 10, "/usr/bin/sh", kRunner, victim());
  pod.start_runner();
  pod.exec(4, 3, "/usr/bin/bash", kRunner, {{"GITHUB_REPOSITORY", "octo/real"}});
  REQUIRE(pod.adopted.size() == 1);
  CHECK(pod.adopted[0]["GITHUB_REPOSITORY"] == "octo/real");
  CHECK(pod.mismatches(identity_reason::not_from_listener) == 1);
}

TEST_CASE("job identity: a Runner.Worker whose parent is not Runner.Listener is not trusted") {
  Pod pod;
  pod.exec(1, 0, "/home/runner/bin/Runner.Listener", kRunner);
  pod.exec(2, 1, "/usr/bin/bash", kRunner);                    // a shell between listener and worker
  pod.exec(3, 2, "/home/runner/bin/Runner.Worker", kRunner);  // the right folder, the wrong parent
  pod.exec(4, 3, "/usr/bin/bash", kRunner, victim());
  CHECK(pod.adopted.empty());
  CHECK(pod.mismatches(identity_reason::not_from_listener) == 1);
}

TEST_CASE("job identity: a fake Runner.Listener elsewhere does not vouch for a worker") {
  SUBCASE("in another folder of the runner container") {
    Pod pod;
    pod.start_runner();
    pod.exec(10, 3, "/tmp/x/Runner.Listener", kRunner);  // a step makes its own pair
    pod.exec(11, 10, "/tmp/x/Runner.Worker", kRunner);
    pod.exec(12, 11, "/usr/bin/sh", kRunner, victim());
    CHECK(pod.adopted.empty());
    CHECK(pod.mismatches(identity_reason::second_worker) == 1);
  }
  SUBCASE("a worker in another container than its listener") {
    Pod pod;
    pod.exec(2, 0, "/home/runner/bin/Runner.Listener", kRunner);
    pod.exec(3, 2, "/home/runner/bin/Runner.Worker", kOther);
    pod.exec(4, 3, "/usr/bin/sh", kOther, victim());
    CHECK(pod.adopted.empty());
    CHECK(pod.mismatches(identity_reason::outside_runner_container) == 1);
  }
  SUBCASE("a worker outside the listener's folder") {
    Pod pod;
    pod.exec(2, 0, "/home/runner/bin/Runner.Listener", kRunner);
    pod.exec(3, 2, "/tmp/Runner.Worker", kRunner);
    pod.exec(4, 3, "/usr/bin/sh", kRunner, victim());
    CHECK(pod.adopted.empty());
    CHECK(pod.mismatches(identity_reason::outside_runner_folder) == 1);
  }
}

TEST_CASE("job identity: a second Runner.Worker of the pod is a mismatch, even from the real listener") {
  Pod pod;
  pod.start_runner();
  pod.exec(4, 3, "/usr/bin/bash", kRunner, {{"GITHUB_REPOSITORY", "octo/real"}});
  pod.exec(5, 2, "/home/runner/bin/Runner.Worker", kRunner);  // everything fits but it comes second
  pod.exec(6, 5, "/usr/bin/sh", kRunner, victim());
  REQUIRE(pod.adopted.size() == 1);
  CHECK(pod.rules.identity()["GITHUB_REPOSITORY"] == "octo/real");
  CHECK(pod.mismatches(identity_reason::second_worker) == 1);
}

TEST_CASE("job identity: a workflow pod of kubernetes mode never takes identity from its own processes") {
  Pod pod(JobIdentity::PodKind::workflow);
  pod.start_runner();  // even a chain that would fit in a runner pod
  pod.exec(4, 3, "/usr/bin/bash", kRunner, victim());
  pod.exec(10, 0, "/tmp/Runner.Worker", kRunner);
  pod.exec(11, 10, "/usr/bin/sh", kRunner, victim());
  pod.exec(12, 0, "/usr/bin/sh", kRunner, victim());  // a step's process with the job's env: no claim
  CHECK(pod.adopted.empty());
  CHECK(pod.rules.identity().is_null());
  CHECK(pod.mismatches(identity_reason::workflow_pod) == 2);
  CHECK(pod.events.size() == 2);
}

TEST_CASE("job identity: after adoption, other values from any process are a mismatch") {
  Pod pod;
  pod.start_runner();
  pod.exec(4, 3, "/usr/bin/bash", kRunner, victim());
  pod.exec(5, 4, "/usr/bin/true", kRunner, {{"GITHUB_REPOSITORY", "evil/forged"}});
  CHECK(pod.mismatches(identity_reason::values_differ) == 1);
  CHECK(pod.rules.identity() == victim());
}

TEST_CASE("job identity: a job that starts thousands of workers stays bounded and each claim is still refused") {
  Pod pod;
  pod.start_runner();
  for (std::uint64_t i = 0; i < 2000; ++i) {
    pod.exec(100 + 2 * i, 3, "/home/runner/bin/Runner.Worker", kRunner);
    pod.exec(101 + 2 * i, 100 + 2 * i, "/usr/bin/sh", kRunner, victim());
  }
  CHECK(pod.adopted.empty());
  CHECK(pod.mismatches(identity_reason::second_worker) + pod.mismatches(identity_reason::untrusted_worker) == 2000);
  CHECK(pod.mismatches(identity_reason::untrusted_worker) > 0);  // past the bound: still refused
}

TEST_CASE("job identity: hostile field types are no claim and no exception") {
  JobIdentity rules;
  json parent = {{"binary", 42}};
  for (json e : {json::object(), json{{"process", "x"}},
                 json{{"process", {{"exec_id", "1"}, {"binary", json::array()}}}, {"env", "GITHUB_REPOSITORY=a/b"}},
                 json{{"process", {{"exec_id", -1}, {"parent_exec_id", 2}}}, {"env", {{"GITHUB_REPOSITORY", "a/b"}}}}}) {
    CHECK_NOTHROW(rules.on_exec(e, &parent));
    CHECK_NOTHROW(rules.on_exec(e, nullptr));
  }
  CHECK(rules.identity().is_null());
}
