// The process family end to end on the real kernel.
#include <sys/wait.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "harness.hpp"
#include "trail/archive/line_reader.hpp"
#include "trail/archive/verify.hpp"
#include "trail/storage/local_store.hpp"

using namespace jt_test;
using nlohmann::json;

namespace {

std::uint64_t exec_id(const json& e) { return e["process"]["exec_id"].get<std::uint64_t>(); }
unsigned pid_of(const json& e) { return e["process"]["pid"].get<unsigned>(); }

// The one exec with exactly these args, or a failed check.
json the_exec(const std::vector<json>& events, const std::vector<std::string>& args) {
  auto found = find_exec(events, args);
  REQUIRE_MESSAGE(found.size() == 1, "execs with args " << json(args).dump() << ": " << found.size());
  return found.front();
}

json exit_for(const std::vector<json>& events, const json& exec) {
  const json* e = exit_of(events, exec_id(exec), pid_of(exec));
  REQUIRE_MESSAGE(e != nullptr, "no exit for " << exec["process"]["args"].dump());
  return *e;
}

void check_seq_gap_free(const std::vector<json>& events) {
  for (std::size_t i = 0; i < events.size(); ++i) REQUIRE(events[i]["seq"].get<std::uint64_t>() == i);
}

std::string all_archive_bytes(const fs::path& dir) {
  std::string all;
  for (auto& f : fs::recursive_directory_iterator(dir)) {  // the summary row sits in summaries/dt=.../
    if (!f.is_regular_file()) continue;
    std::ifstream in(f.path(), std::ios::binary);
    if (f.path().extension() != ".zst") {
      all.append(std::istreambuf_iterator<char>(in), {});
      continue;
    }
    jobtrail::archive::LineReader lines(in);
    for (std::string line; lines.next(line);) all += line + "\n";
  }
  return all;
}

}  // namespace

TEST_CASE("process: two sibling pods see only their own processes") {
  TestCgroup a("pod-a"), b("pod-b");
  auto storage = scratch_dir("siblings");
  Sidecar sidecar(a.path(), storage);
  auto script = [](const std::string& m) {
    return "/bin/echo marker-" + m + " one; /bin/echo 'marker-" + m + " two words'; exit 3";
  };
  SpawnOptions in_tmp;
  in_tmp.cwd = "/tmp";
  pid_t pa = spawn_in(a.path(), "/bin/sh", {"sh", "-c", script("a")}, in_tmp);
  pid_t pb = spawn_in(b.path(), "/bin/sh", {"sh", "-c", script("b")}, in_tmp);
  CHECK(exit_code(wait_status(pa)) == 3);
  CHECK(exit_code(wait_status(pb)) == 3);
  REQUIRE(exit_code(sidecar.stop()) == 0);

  auto dir = archive_dir(storage);
  auto events = read_events(dir);
  check_seq_gap_free(events);
  auto sh = the_exec(events, {"sh", "-c", script("a")});
  CHECK(pid_of(sh) == static_cast<unsigned>(pa));
  CHECK(sh["process"]["binary"] == "/usr/bin/dash");
  CHECK(sh["process"]["cwd"] == "/tmp");
  CHECK(exit_for(events, sh)["exit"]["code"] == 3);
  for (auto args : {std::vector<std::string>{"/bin/echo", "marker-a", "one"},
                    std::vector<std::string>{"/bin/echo", "marker-a two words"}}) {
    auto echo = the_exec(events, args);
    CHECK(echo["process"]["binary"] == "/usr/bin/echo");
    CHECK(echo["process"]["ppid"] == pa);
    CHECK(echo["process"]["parent_exec_id"] == exec_id(sh));
    CHECK(echo["process"]["uid"] == 0);
    CHECK(exit_for(events, echo)["exit"]["code"] == 0);
  }
  for (auto& e : events) {
    CHECK_MESSAGE(e.dump().find("marker-b") == std::string::npos, "event of the sibling pod: " << e.dump());
    if (e.contains("process") && e["process"].contains("pid")) CHECK(pid_of(e) != static_cast<unsigned>(pb));
  }
  auto manifest = read_manifest(dir);
  CHECK(manifest["complete"] == true);
  CHECK(manifest["lost"].empty());
  CHECK(manifest["events"] == events.size());
}

TEST_CASE("process: argv edge cases are recorded exactly") {
  TestCgroup a("argv");
  auto storage = scratch_dir("argv");
  auto link = storage.parent_path() / ("link-to-true-" + std::to_string(getpid()));
  fs::remove(link);
  fs::create_symlink("/usr/bin/true", link);
  Sidecar sidecar(a.path(), storage);

  const std::vector<std::string> odd = {"true", "a b", "q\"uote'", "new\nline", "ünï €", "", "end"};
  const auto thousand = [] {
    std::vector<std::string> v = {"true"};
    for (int i = 1; i < 1000; ++i) v.push_back("arg" + std::to_string(i));
    return v;
  }();
  const std::vector<std::string> huge = {"true", std::string(100 * 1024, 'x')};
  SpawnOptions in_bin;
  in_bin.cwd = "/usr/bin";
  for (auto* args : {&odd, &thousand, &huge}) CHECK(wait_status(spawn_in(a.path(), "/bin/true", *args)) == 0);
  CHECK(wait_status(spawn_in(a.path(), "./true", {"./true", "relative"}, in_bin)) == 0);
  CHECK(wait_status(spawn_in(a.path(), link.string(), {"link-to-true", "symlink"})) == 0);
  pid_t threaded = spawn_in(a.path(), JT_THREAD_EXEC, {"jt_thread_exec"});
  CHECK(wait_status(threaded) == 0);
  REQUIRE(exit_code(sidecar.stop()) == 0);
  fs::remove(link);

  auto events = read_events(archive_dir(storage));
  CHECK(the_exec(events, odd)["process"]["args_truncated"] == false);
  CHECK(the_exec(events, thousand)["process"]["args"].size() == 1000);
  bool saw_huge = false;
  for (auto& e : events) {
    if (e["type"] != "process_exec" || e["process"]["args"].size() != 2 || e["process"]["args"][1].get<std::string>().substr(0, 100) != std::string(100, 'x'))
      continue;
    saw_huge = true;
    CHECK(e["process"]["args_truncated"] == true);
    CHECK(e["process"]["args"][0] == "true");
    const auto kept = e["process"]["args"][1].get<std::string>();
    CHECK(kept.size() >= 60 * 1024);
    CHECK(kept.size() < huge[1].size());
    CHECK(kept.find_first_not_of('x') == std::string::npos);
  }
  CHECK(saw_huge);
  CHECK(the_exec(events, {"./true", "relative"})["process"]["binary"] == "/usr/bin/true");
  CHECK(the_exec(events, {"./true", "relative"})["process"]["cwd"] == "/usr/bin");
  CHECK(the_exec(events, {"link-to-true", "symlink"})["process"]["binary"] == "/usr/bin/true");
  auto from_thread = the_exec(events, {"/bin/true", "exec-from-thread"});
  auto launcher = the_exec(events, {"jt_thread_exec"});
  CHECK(pid_of(from_thread) == static_cast<unsigned>(threaded));
  CHECK(pid_of(launcher) == static_cast<unsigned>(threaded));
  CHECK(from_thread["process"]["parent_exec_id"] == exec_id(launcher));
  CHECK(exit_for(events, from_thread)["exit"]["code"] == 0);
}

TEST_CASE("process: exit codes and signals and forks without exec") {
  TestCgroup a("exits");
  auto storage = scratch_dir("exits");
  Sidecar sidecar(a.path(), storage);
  const std::vector<std::pair<std::string, int>> codes = {{"exit 0", 0}, {"exit 1", 1}, {"exit 255", 255}};
  for (auto& [script, code] : codes) CHECK(exit_code(wait_status(spawn_in(a.path(), "/bin/sh", {"sh", "-c", script}))) == code);
  {
    int st = wait_status(spawn_in(a.path(), "/bin/sh", {"sh", "-c", "kill -KILL $$"}));
    CHECK((WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL));
  }
  {
    int st = wait_status(spawn_in(a.path(), "/bin/sh", {"sh", "-c", "kill -SEGV $$"}));
    CHECK((WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV));
  }
  pid_t forker = spawn_in(a.path(), "/bin/sh", {"sh", "-c", "(exit 7); exit 0"});
  CHECK(wait_status(forker) == 0);
  REQUIRE(exit_code(sidecar.stop()) == 0);

  auto events = read_events(archive_dir(storage));
  for (auto& [script, code] : codes) {
    auto x = exit_for(events, the_exec(events, {"sh", "-c", script}))["exit"];
    CHECK(x["code"] == code);
    CHECK(x["signal"].is_null());
  }
  auto killed = exit_for(events, the_exec(events, {"sh", "-c", "kill -KILL $$"}))["exit"];
  CHECK(killed["signal"] == SIGKILL);
  CHECK(killed["signal_name"] == "KILL");
  auto segv = exit_for(events, the_exec(events, {"sh", "-c", "kill -SEGV $$"}))["exit"];
  CHECK(segv["signal"] == SIGSEGV);
  // the subshell is a fork that never execs: its exit carries its parent's exec_id
  auto sh = the_exec(events, {"sh", "-c", "(exit 7); exit 0"});
  int subshell_exits = 0;
  for (auto& e : events)
    if (e["type"] == "process_exit" && exec_id(e) == exec_id(sh) && pid_of(e) != static_cast<unsigned>(forker)) {
      ++subshell_exits;
      CHECK(e["exit"]["code"] == 7);
      CHECK(e["process"]["ppid"] == forker);
    }
  CHECK(subshell_exits == 1);
  CHECK(exit_for(events, sh)["exit"]["code"] == 0);
}

TEST_CASE("process: a burst of 10000 processes loses nothing and the archive verifies") {
  TestCgroup a("burst");
  auto storage = scratch_dir("burst");
  Sidecar sidecar(a.path(), storage);
  // 10,000 by default; JT_BURST_N lowers it for a quick local run on a loaded machine
  const int n = std::getenv("JT_BURST_N") ? std::atoi(std::getenv("JT_BURST_N")) : 10000;
  CHECK(wait_status(spawn_in(a.path(), JT_SPAWN_BURST, {"jt_spawn_burst", std::to_string(n), JT_EXIT0, "burst"})) == 0);
  std::chrono::milliseconds took{};
  const auto sigterm_at = fs::file_time_type::clock::now();
  REQUIRE(exit_code(sidecar.stop(&took)) == 0);
  auto dir = archive_dir(storage);
  // The archive must be finished within 2 s; the process exit then also waits for the kernel
  // to detach ~90 tracepoints (an RCU grace period each, serialized by the kernel).
  const auto finished = std::chrono::duration_cast<std::chrono::milliseconds>(
      fs::last_write_time(dir / "_manifest.json") - sigterm_at);
  MESSAGE("SIGTERM to manifest written: " << finished.count() << " ms, to exit: " << took.count() << " ms");
  CHECK(finished.count() < 2000);
  CHECK(took.count() < 8000);

  auto events = read_events(dir);
  check_seq_gap_free(events);
  int next = 0, exits = 0;
  std::map<std::uint64_t, unsigned> burst;  // exec_id -> pid
  for (auto& e : events) {
    const auto& args = e["process"]["args"];
    if (e["type"] == "process_exec" && args.size() == 3 && args[1] == "burst") {
      CHECK(args[2] == "#" + std::to_string(next));  // in the order they ran
      ++next;
      burst[exec_id(e)] = pid_of(e);
    } else if (e["type"] == "process_exit" && burst.count(exec_id(e))) {
      CHECK(e["exit"]["code"] == 0);
      ++exits;
    }
  }
  CHECK(next == n);
  CHECK(exits == n);
  auto manifest = read_manifest(dir);
  CHECK(manifest["lost"].empty());
  CHECK(manifest["complete"] == true);
  jobtrail::storage::LocalStore store(dir);
  auto report = jobtrail::archive::verify_archive(store, "");
  for (auto& p : report.problems) MESSAGE(p.message);
  CHECK(report.verdict() == jobtrail::archive::Verdict::ok);
  CHECK(report.events_checked == events.size());
}

TEST_CASE("process: job identity comes from the first child of the runner's Runner.Worker and no other env leaves the kernel") {
  TestCgroup a("identity");
  auto storage = scratch_dir("identity");
  auto bin = storage.parent_path() / ("identity-bin-" + std::to_string(getpid()));
  fs::create_directories(bin);
  // env(1) renamed: Runner.Listener execs Runner.Worker, which execs sh with the job's variables,
  // as the runner starts a step (both from the runner's own folder)
  fs::copy_file("/usr/bin/env", bin / "Runner.Listener", fs::copy_options::overwrite_existing);
  fs::copy_file("/usr/bin/env", bin / "Runner.Worker", fs::copy_options::overwrite_existing);
  Sidecar sidecar(a.path(), storage);
  SpawnOptions env;
  env.env = {"PATH=/usr/bin:/bin", "GITHUB_REPOSITORY=early/ignored", "SECRET_TOKEN=s3cr3t-never-stored-42"};
  const std::vector<std::string> argv = {"Runner.Listener", (bin / "Runner.Worker").string(),
                                         "GITHUB_REPOSITORY=octo/repo", "GITHUB_RUN_ID=42",
                                         "GITHUB_RUN_ATTEMPT=2", "GITHUB_JOB=build", "RUNNER_NAME=runner-x",
                                         "/bin/sh", "-c", "GITHUB_REPOSITORY=evil/forged /bin/true; true"};
  CHECK(wait_status(spawn_in(a.path(), (bin / "Runner.Listener").string(), argv, env)) == 0);
  REQUIRE(exit_code(sidecar.stop()) == 0);
  fs::remove_all(bin);

  auto dir = archive_dir(storage);
  auto events = read_events(dir);
  auto step = the_exec(events, {"/bin/sh", "-c", "GITHUB_REPOSITORY=evil/forged /bin/true; true"});
  auto job = read_manifest(dir)["job_identity"];
  CHECK(job["GITHUB_REPOSITORY"] == "octo/repo");
  CHECK(job["GITHUB_RUN_ID"] == "42");
  CHECK(job["GITHUB_RUN_ATTEMPT"] == "2");
  CHECK(job["GITHUB_JOB"] == "build");
  CHECK(job["RUNNER_NAME"] == "runner-x");
  int revealed = 0, mismatches = 0;
  for (auto& e : events) {
    if (e["type"] != "job_identity") continue;
    if (e.value("mismatch", false)) {
      ++mismatches;
      CHECK(e["job"]["GITHUB_REPOSITORY"] == "evil/forged");
      CHECK(e["reason"] == "values_differ");
    } else {
      ++revealed;
      CHECK(e["revealed_by"] == exec_id(step));
    }
  }
  CHECK(revealed == 1);
  CHECK(mismatches == 1);
  CHECK(fs::is_directory(storage / "jobs" / "octo" / "repo" / "42"));
  CHECK(all_archive_bytes(dir).find("s3cr3t-never-stored") == std::string::npos);
}

TEST_CASE("process: in a workflow pod a copied Runner.Worker names no job: a mismatch, no index of the victim") {
  TestCgroup a("workflow-pod");
  auto storage = scratch_dir("workflow-pod");
  auto tmp = storage.parent_path() / ("workflow-tmp-" + std::to_string(getpid()));
  fs::create_directories(tmp);
  fs::copy_file("/usr/bin/env", tmp / "Runner.Worker", fs::copy_options::overwrite_existing);
  // The webhook sets JOBTRAIL_RUNNER_POD in the workflow pods the runner's container hooks create.
  ::setenv("JOBTRAIL_RUNNER_POD", "runner-abc12-runner-xyz", 1);
  Sidecar sidecar(a.path(), storage);
  ::unsetenv("JOBTRAIL_RUNNER_POD");
  SpawnOptions env;
  env.env = {"PATH=/usr/bin:/bin"};
  const std::vector<std::string> argv = {"Runner.Worker", "GITHUB_REPOSITORY=victim/repo", "GITHUB_RUN_ID=9",
                                         "GITHUB_JOB=deploy", "/bin/sh", "-c", "true forged-step"};
  CHECK(wait_status(spawn_in(a.path(), (tmp / "Runner.Worker").string(), argv, env)) == 0);
  REQUIRE(exit_code(sidecar.stop()) == 0);
  fs::remove_all(tmp);

  auto dir = archive_dir(storage);
  auto events = read_events(dir);
  auto step = the_exec(events, {"/bin/sh", "-c", "true forged-step"});
  auto manifest = read_manifest(dir);
  CHECK(manifest["job_identity"].is_null());
  CHECK(manifest["meta"]["pod"]["runner_pod"] == "runner-abc12-runner-xyz");
  int revealed = 0, mismatches = 0;
  for (auto& e : events) {
    if (e["type"] != "job_identity") continue;
    if (!e.value("mismatch", false)) {
      ++revealed;
      continue;
    }
    ++mismatches;
    CHECK(e["reason"] == "workflow_pod");
    CHECK(e["job"]["GITHUB_REPOSITORY"] == "victim/repo");
    CHECK(e["revealed_by"] == exec_id(step));
  }
  CHECK(revealed == 0);
  CHECK(mismatches == 1);
  CHECK_FALSE(fs::exists(storage / "jobs" / "victim"));
  CHECK_FALSE(fs::exists(storage / "jobs"));
}

TEST_CASE("process: exit-when-idle ends the sidecar once the pod's processes are gone") {
  TestCgroup a("idle");
  auto storage = scratch_dir("idle");
  Sidecar sidecar(a.path(), storage, {"--exit-when-idle"});
  usleep(1500 * 1000);  // nothing ran yet: the sidecar must keep waiting for the other containers
  REQUIRE(kill(sidecar.pid(), 0) == 0);
  CHECK(wait_status(spawn_in(a.path(), "/bin/sleep", {"sleep", "0.5"})) == 0);
  int st = sidecar.wait_exit(std::chrono::seconds(20));
  REQUIRE(st != -1);
  CHECK(exit_code(st) == 0);
  auto events = read_events(archive_dir(storage));
  CHECK(find_exec(events, {"sleep", "0.5"}).size() == 1);
}

TEST_CASE("process: record runs the command in a fresh cgroup and exits with its status") {
  auto out = scratch_dir("record") / "trail";
  std::string cmd = sidecar_binary().string() + " record --out " + out.string() +
                    " -- /bin/sh -c 'echo recorded >/dev/null; exit 3' >/dev/null 2>&1";
  int st = std::system(cmd.c_str());
  CHECK(exit_code(st) == 3);
  auto events = read_events(out);
  auto sh = the_exec(events, {"/bin/sh", "-c", "echo recorded >/dev/null; exit 3"});
  CHECK(exit_for(events, sh)["exit"]["code"] == 3);
  CHECK(read_manifest(out)["complete"] == true);
  // a second record into the same folder is refused and changes nothing
  auto before = all_archive_bytes(out);
  CHECK(exit_code(std::system(cmd.c_str())) == 1);
  CHECK(all_archive_bytes(out) == before);
}

TEST_CASE("process: start-up problems fail with one clear line") {
  auto dir = scratch_dir("startup");
  auto err = dir / "stderr";
  std::string cmd = sidecar_binary().string() + " run --cgroup /sys/fs/cgroup/no-such-pod --http-listen '' --storage " +
                    dir.string() + " --spool " + (dir / "spool").string() + " 2>" + err.string();
  CHECK(exit_code(std::system(cmd.c_str())) == 1);
  std::ifstream in(err);
  std::string all{std::istreambuf_iterator<char>(in), {}};
  CHECK(all.find("no-such-pod") != std::string::npos);
  CHECK(std::count(all.begin(), all.end(), '\n') == 1);
  CHECK(exit_code(std::system((sidecar_binary().string() + " run --files sometimes 2>/dev/null").c_str())) > 0);
}
