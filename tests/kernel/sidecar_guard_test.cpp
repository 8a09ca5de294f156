// The job reaching for its recorder: in a pod sharing its process namespace the job can signal
// and ptrace the sidecar and open its /proc files. The kernel records it (bpf/lib/sidecar_self.bpf.h), the finding
// sidecar-tamper fires, and a SIGTERM from the job does not end the trail.
#include <sys/wait.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "harness.hpp"
#include "trail/archive/verify.hpp"
#include "trail/storage/local_store.hpp"

using namespace jt_test;
using nlohmann::json;

namespace {

bool aimed_at_sidecar(const json& e) {
  return e.value("type", "") == "priv_syscall" && e["priv"]["args"].value("target", "") == "sidecar";
}

std::string text_of(const fs::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), {}};
}

}  // namespace

TEST_CASE("sidecar guard: a job signalling and ptracing the sidecar is recorded and does not end the trail") {
  TestCgroup pod("guard");
  auto storage = scratch_dir("guard");
  Sidecar sidecar(pod.path(), storage);
  const std::string sidecar_pid = std::to_string(sidecar.pid());

  // near miss first: the job signals and reads its own child
  CHECK(exit_code(wait_status(spawn_in(pod.path(), JT_POKE_SIDECAR, {"jt_poke_sidecar", "near"}))) == 0);
  const pid_t poker = spawn_in(pod.path(), JT_POKE_SIDECAR, {"jt_poke_sidecar", "poke", sidecar_pid});
  REQUIRE(exit_code(wait_status(poker)) == 0);
  REQUIRE(exit_code(wait_status(spawn_in(pod.path(), JT_POKE_SIDECAR, {"jt_poke_sidecar", "hidden", sidecar_pid}))) == 0);
  // The job's SIGTERM reached the sidecar; it must keep tracing: a later process is still recorded.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  REQUIRE(waitpid(sidecar.pid(), nullptr, WNOHANG) == 0);
  CHECK(exit_code(wait_status(spawn_in(pod.path(), "/bin/true", {"true", "after-the-poke"}))) == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  REQUIRE(waitpid(sidecar.pid(), nullptr, WNOHANG) == 0);
  REQUIRE(exit_code(sidecar.stop()) == 0);  // the test's SIGTERM comes from outside the pod: it stops

  const std::string log = text_of(sidecar.stderr_file());
  CHECK(log.find("signal 15 from a process of the job (1 so far)") != std::string::npos);
  CHECK(log.find("signal 15 from outside the pod") != std::string::npos);
  CHECK(log.find("signal 10 from a process of the job (1 so far)") != std::string::npos);

  auto dir = archive_dir(storage);
  auto events = read_events(dir);
  CHECK(find_exec(events, {"true", "after-the-poke"}).size() == 1);
  const auto poke = find_exec(events, {"jt_poke_sidecar", "poke", sidecar_pid});
  const auto near = find_exec(events, {"jt_poke_sidecar", "near"});
  const auto hidden = find_exec(events, {"jt_poke_sidecar", "hidden", sidecar_pid});
  REQUIRE(poke.size() == 1);
  REQUIRE(near.size() == 1);
  REQUIRE(hidden.size() == 1);
  const auto poke_exec = poke[0]["process"]["exec_id"].get<std::uint64_t>();
  const auto hidden_exec = hidden[0]["process"]["exec_id"].get<std::uint64_t>();

  std::set<std::string> acts, hidden_acts;  // what the kernel saw the pokers do to the sidecar
  std::map<std::uint64_t, json> by_seq;
  for (auto& e : events) {
    by_seq[e["seq"].get<std::uint64_t>()] = e;
    if (!aimed_at_sidecar(e)) continue;
    const json& p = e["priv"];
    if (e["process"]["exec_id"] == hidden_exec) {  // found from the opened file, not the path
      CHECK(p["args"]["found_by"] == "opened_file");
      hidden_acts.insert(p["syscall"].get<std::string>());
      continue;
    }
    CHECK(e["process"]["exec_id"] == poke_exec);  // never the near miss
    const std::string sys = p["syscall"];
    if (sys == "signal") {
      acts.insert(p["args"]["signal"].get<std::string>());
      CHECK(std::to_string(p["args"]["target_host_pid"].get<long>()) == sidecar_pid);
    } else {
      acts.insert(sys + (p["args"].contains("request") ? " " + p["args"]["request"].get<std::string>() : ""));
    }
  }
  for (const char* want : {"SIGCONT", "SIGTERM", "SIGUSR1", "SIGSTOP", "ptrace PTRACE_ATTACH", "process_vm_readv", "open_proc_environ",
                            "open_proc_mem"})
    CHECK_MESSAGE(acts.count(want) == 1, std::string(want) << " of the sidecar not recorded");
  CHECK(hidden_acts == std::set<std::string>{"open_proc_environ", "open_proc_mem"});

  std::set<std::string> titles;
  for (auto& e : events) {
    if (e.value("type", "") != "finding") continue;
    const json& f = e["finding"];
    if (f["id"] != "sidecar-tamper") continue;
    CHECK_MESSAGE(f["exec_ids"][0] != near[0]["process"]["exec_id"], "near miss flagged: " << f.dump());
    CHECK(f["severity"] == "critical");
    CHECK((f["exec_ids"][0] == poke_exec || f["exec_ids"][0] == hidden_exec));
    REQUIRE(f["evidence"].size() == 1);
    const json& proof = by_seq[f["evidence"][0].get<std::uint64_t>()];
    CHECK_MESSAGE(aimed_at_sidecar(proof), "evidence is not an act on the sidecar: " << proof.dump());
    titles.insert(f["title"].get<std::string>());
  }
  CHECK(titles.size() == 10);  // SIGCONT, SIGTERM, SIGUSR1, SIGSTOP (of the attach), ptrace, process_vm_readv, 2 + 2 opens

  auto manifest = read_manifest(dir);
  CHECK(manifest["complete"] == true);
  jobtrail::storage::LocalStore store(dir);
  auto report = jobtrail::archive::verify_archive(store, "");
  for (auto& p : report.problems) MESSAGE(p.message);
  CHECK(report.verdict() == jobtrail::archive::Verdict::ok);
}
