// Pure parts of `jobtrail`: the show filter, the process tree, the summary fold, the report
// model and its HTML escaping, the jobs/ path parsing and the closest-match lookup messages.
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <string>

#include "cli/errors.hpp"
#include "cli/locate.hpp"
#include "cli/report_html.hpp"
#include "cli/runner_link.hpp"
#include "cli/show_filter.hpp"
#include "trail/storage/local_store.hpp"
#include "trail/summary/fields.hpp"
#include "trail/summary/job_steps.hpp"
#include "trail/summary/process_tree.hpp"
#include "trail/summary/report_model.hpp"
#include "trail/summary/summary.hpp"

using nlohmann::json;
using namespace jobtrail;

namespace {

json exec_ev(int eid, int parent, int pid, const std::string& bin, const std::string& t = "2026-11-29T10:00:00Z") {
  return {{"type", "process_exec"}, {"time", t},
          {"process", {{"pid", pid}, {"exec_id", eid}, {"parent_exec_id", parent}, {"binary", bin}, {"args", {bin, "x"}}}}};
}
json exit_ev(int eid, int pid, json code, json signal = nullptr) {
  return {{"type", "process_exit"}, {"time", "2026-11-29T10:00:01Z"},
          {"process", {{"pid", pid}, {"exec_id", eid}}}, {"exit", {{"code", code}, {"signal", signal}}}};
}
json net_ev(int eid, const std::string& type, const std::string& addr, int port) {
  return {{"type", type}, {"time", "2026-11-29T10:00:00.5Z"},
          {"process", {{"pid", 9}, {"exec_id", eid}, {"binary", "/usr/bin/curl"}}},
          {"net", {{"protocol", "tcp"}, {"dst_addr", addr}, {"dst_port", port}, {"bytes_sent", 10}, {"bytes_received", 20}}}};
}

}  // namespace

TEST_CASE("show filter follows descendants of an exec id in trail order") {
  cli::ShowFilter f;
  f.exec_roots = {"2"};
  CHECK_FALSE(f.match(exec_ev(1, 0, 10, "/bin/init"), ""));
  CHECK(f.match(exec_ev(2, 1, 11, "/bin/sh"), ""));
  CHECK(f.match(exec_ev(3, 2, 12, "/usr/bin/make"), ""));
  CHECK(f.match(exec_ev(4, 3, 13, "/usr/bin/cc"), ""));   // grandchild
  CHECK_FALSE(f.match(exec_ev(5, 1, 14, "/bin/ls"), ""));  // sibling of the root
  CHECK(f.match(net_ev(4, "net_connect", "1.2.3.4", 80), ""));
  CHECK_FALSE(f.match(net_ev(5, "net_connect", "1.2.3.4", 80), ""));
}

TEST_CASE("show filter types match whole families and exact names only") {
  cli::ShowFilter f;
  f.types = {"net"};
  CHECK(f.match(net_ev(1, "net_connect", "1.1.1.1", 1), ""));
  json odd = net_ev(1, "network_thing", "1.1.1.1", 1);
  CHECK_FALSE(f.match(odd, ""));
  CHECK_FALSE(f.match(exec_ev(1, 0, 1, "/bin/sh"), ""));
  f.types = {"process_exec"};
  CHECK(f.match(exec_ev(1, 0, 1, "/bin/sh"), ""));
}

TEST_CASE("show filter: the story scope leaves out file events only") {
  cli::ShowFilter f;
  f.scope = events::StreamScope::story;
  json open = net_ev(1, "file_open", "", 0);
  CHECK_FALSE(f.match(open, ""));
  CHECK_FALSE(f.match(net_ev(1, "file_change", "", 0), ""));
  CHECK(f.match(net_ev(1, "net_connect", "1.1.1.1", 1), ""));
  CHECK(f.match(exec_ev(1, 0, 1, "/bin/sh"), ""));
  CHECK(f.match(json{{"type", "finding"}}, ""));
  CHECK(f.match(json{{"type", "priv_mount"}}, ""));
  CHECK(f.match(json{{"type", 7}}, ""));          // a type we cannot read is shown, not hidden
  CHECK(f.match(json{{"type", "filesystem"}}, ""));  // only the file_ family
  f.scope = events::StreamScope::all;
  CHECK(f.match(open, ""));
  CHECK(events::stream_scope_names().at("files") == events::StreamScope::all);
  CHECK(events::stream_scope_names().at("story") == events::StreamScope::story);
}

TEST_CASE("show filter binary pid time and grep") {
  cli::ShowFilter f;
  f.binaries = {"curl"};
  CHECK(f.match(net_ev(1, "net_connect", "1.1.1.1", 1), ""));
  CHECK_FALSE(f.match(exec_ev(1, 0, 1, "/usr/bin/curly"), ""));
  cli::ShowFilter p;
  p.pids = {11};
  CHECK(p.match(exec_ev(2, 1, 11, "/bin/sh"), ""));
  CHECK_FALSE(p.match(exec_ev(2, 1, 12, "/bin/sh"), ""));
  cli::ShowFilter t;
  t.since_ns = summary::parse_rfc3339_ns("2026-11-29T10:00:00.4Z");
  t.until_ns = summary::parse_rfc3339_ns("2026-11-29T10:00:01Z");
  CHECK(t.match(net_ev(1, "net_connect", "1.1.1.1", 1), ""));
  CHECK_FALSE(t.match(exec_ev(1, 0, 1, "/bin/sh"), ""));  // 10:00:00 < since
  CHECK_FALSE(t.match(exit_ev(1, 1, 0), ""));             // until is exclusive
  cli::ShowFilter g;
  g.grep = "needle";
  CHECK(g.match(json::object(), R"({"a":"needle"})"));
  CHECK_FALSE(g.match(json::object(), R"({"a":"hay"})"));
}

TEST_CASE("process tree links parents and keeps exit codes and signals") {
  summary::ProcessTree t;
  t.add(exec_ev(1, 0, 10, "/bin/sh"));
  t.add(exec_ev(2, 1, 11, "/usr/bin/make"));
  t.add(exec_ev(3, 2, 12, "/usr/bin/cc"));
  t.add(exit_ev(2, 99, 0));  // a fork of make that never exec'd: must not end make
  t.add(exit_ev(3, 12, 1));
  t.add(exit_ev(2, 11, 2));
  t.add(exit_ev(1, 10, nullptr, 9));
  t.finish();
  REQUIRE(t.nodes().size() == 3);
  CHECK(t.roots() == std::vector<std::size_t>{0});
  CHECK(t.nodes()[0].children == std::vector<std::size_t>{1});
  CHECK(t.nodes()[1].children == std::vector<std::size_t>{2});
  CHECK(*t.nodes()[1].exit_code == 2);
  CHECK(*t.nodes()[2].exit_code == 1);
  CHECK(t.nodes()[0].exit_signal == "9");
  CHECK(summary::node_label(t.nodes()[2]) == "/usr/bin/cc x  [pid 12] exit 1");
}

TEST_CASE("process tree is bounded and counts what it drops") {
  summary::ProcessTree t(2);
  for (int i = 1; i <= 5; ++i) t.add(exec_ev(i, i - 1, i, "/bin/true"));
  t.finish();
  CHECK(t.nodes().size() == 2);
  CHECK(t.dropped() == 3);
}

TEST_CASE("summary fold counts destinations names and bounded tables") {
  summary::Limits lim;
  lim.max_table = 2;
  summary::Builder b(lim);
  b.add({{"type", "dns_answer"}, {"time", "2026-11-29T10:00:00Z"}, {"process", {{"exec_id", 1}}},
         {"dns", {{"name", "example.com"}, {"answers", {{{"type", "A"}, {"data", "1.1.1.1"}}}}}}});
  b.add(net_ev(1, "net_connect", "1.1.1.1", 443));
  b.add(net_ev(1, "net_close", "1.1.1.1", 443));
  b.add(net_ev(1, "net_connect", "2.2.2.2", 443));
  b.add(net_ev(1, "net_connect", "3.3.3.3", 443));  // over the table limit: counted, not listed
  auto r = b.result();
  CHECK(r["events"] == 5);
  REQUIRE(r["network"].size() == 2);
  CHECK(r["network"][0]["address"] == "1.1.1.1");
  CHECK(r["network"][0]["names"] == json{"example.com"});
  CHECK(r["network"][0]["connections"] == 1);
  CHECK(r["network"][0]["bytes_sent"] == 20);
  CHECK(r["truncated"]["network"] == 1);
  CHECK(r["archive"]["complete"] == false);  // no manifest seen
}

TEST_CASE("summary fold reads file modes of the documented schema") {
  summary::Builder b;
  auto file = [](const std::string& path, json mode) {
    return json{{"type", "file_open"}, {"time", "2026-11-29T10:00:00Z"}, {"process", {{"exec_id", 1}, {"binary", "/bin/x"}}},
                {"file", {{"path", path}, {"mode", mode}}}};
  };
  b.add(file("/etc/passwd", {"read"}));
  b.add(file("/etc/cron.d/x", {"write", "create"}));
  b.add(file("/home/runner/_work/a/b.o", {"write"}));  // inside the default workspace
  b.add(file("/dev/null", {"write"}));
  auto r = b.result();
  REQUIRE(r["files_written_outside_workspace"].size() == 1);
  CHECK(r["files_written_outside_workspace"][0]["path"] == "/etc/cron.d/x");
}

TEST_CASE("report model elides beyond its limits and says how many") {
  summary::ReportLimits lim;
  lim.max_processes = 3;
  lim.max_connections = 1;
  summary::ReportModel m(lim);
  for (int i = 1; i <= 5; ++i) m.add(exec_ev(i, i - 1, i, "/bin/true"));
  m.add(net_ev(1, "net_connect", "1.1.1.1", 1));
  m.add(net_ev(1, "net_connect", "1.1.1.2", 1));
  auto j = m.finish();
  CHECK(j["processes"].size() == 3);
  CHECK(j["processes"][1]["parent"] == 0);
  CHECK(j["processes"][0]["parent"] == -1);
  CHECK(j["elided"]["processes"] == 2);
  CHECK(j["connections"].size() == 1);
  CHECK(j["elided"]["connections"] == 1);
}

TEST_CASE("job steps: each direct child of Runner.Worker is a step, numbered in exec order, inherited below") {
  summary::JobSteps s;
  CHECK(s.step_of(exec_ev(1, 0, 10, "/home/runner/bin/Runner.Listener")) == 0);
  CHECK(s.step_of(exec_ev(2, 1, 11, "/home/runner/bin/Runner.Worker")) == 0);
  CHECK(s.step_of(exec_ev(3, 2, 12, "/home/runner/externals/node20/bin/node")) == 1);  // actions/checkout
  CHECK(s.step_of(exec_ev(4, 3, 13, "/usr/bin/git")) == 1);
  CHECK(s.step_of(exit_ev(3, 12, 0)) == 1);
  CHECK(s.step_of(exec_ev(5, 2, 14, "/usr/bin/bash")) == 2);  // a run: step
  CHECK(s.step_of(exec_ev(6, 5, 15, "/usr/bin/npm")) == 2);
  CHECK(s.step_of(exec_ev(7, 6, 16, "/usr/bin/node")) == 2);
  CHECK(s.step_of(net_ev(7, "net_connect", "104.16.0.1", 443)) == 2);  // npm's node connects in step 2
  CHECK(s.step_of(exec_ev(8, 2, 17, "/usr/bin/bash")) == 3);
  CHECK(s.step_of(exec_ev(9, 0, 18, "/usr/bin/sleep")) == 0);   // outside the runner
  CHECK(s.step_of(net_ev(99, "net_connect", "1.1.1.1", 1)) == 0);  // exec never seen
  // A process a step names Runner.Worker starts no steps: it and its children stay in step 3.
  CHECK(s.step_of(exec_ev(10, 8, 19, "/tmp/Runner.Worker")) == 3);
  CHECK(s.step_of(exec_ev(11, 10, 20, "/bin/sh")) == 3);
  CHECK(s.steps() == 3);
  CHECK(summary::step_prefix(3) == "[step 3] ");
  CHECK(summary::step_prefix(0).empty());
  CHECK(summary::is_runner_worker("Runner.Worker"));
  CHECK_FALSE(summary::is_runner_worker("/bin/Runner.Workers"));
  CHECK_FALSE(summary::is_runner_worker("/bin/xRunner.Worker"));
}

TEST_CASE("job steps are bounded: execs past the limit have no step and are counted") {
  summary::JobSteps s(3);
  s.step_of(exec_ev(1, 0, 1, "/bin/Runner.Worker"));
  CHECK(s.step_of(exec_ev(2, 1, 2, "/bin/bash")) == 1);
  CHECK(s.step_of(exec_ev(3, 2, 3, "/bin/ls")) == 1);
  CHECK(s.step_of(exec_ev(4, 2, 4, "/bin/cat")) == 0);
  CHECK(s.forgotten() == 1);
}

TEST_CASE("report model labels processes and connections with their step") {
  summary::ReportModel m;
  m.add(exec_ev(1, 0, 1, "/home/runner/bin/Runner.Worker"));
  m.add(exec_ev(2, 1, 2, "/bin/bash"));
  m.add(exec_ev(3, 1, 3, "/bin/bash"));
  m.add(exec_ev(4, 3, 4, "/usr/bin/curl"));
  m.add(net_ev(4, "net_connect", "1.2.3.4", 443));
  auto j = m.finish();
  REQUIRE(j["processes"].size() == 4);
  CHECK(j["processes"][0]["step"] == 0);
  CHECK(j["processes"][1]["step"] == 1);
  CHECK(j["processes"][2]["step"] == 2);
  CHECK(j["processes"][3]["step"] == 2);
  CHECK(j["connections"][0]["step"] == 2);
  CHECK(j["steps"] == 2);
}

TEST_CASE("report data cannot close its script element") {
  json d = {{"a", "</script><script>alert(1)</script>"}, {"b", "x & y > z \u2028"}};
  auto text = cli::json_for_script(d);
  CHECK(text.find('<') == std::string::npos);
  CHECK(text.find('>') == std::string::npos);
  CHECK(text.find('&') == std::string::npos);
  CHECK(json::parse(text) == d);  // the escapes mean the same text
  auto html = cli::render_report_html({{"events", 1}}, {{"processes", json::array()}}, "dir</title><script>");
  std::size_t scripts = 0;
  for (auto p = html.find("<script"); p != std::string::npos; p = html.find("<script", p + 1)) ++scripts;
  CHECK(scripts == 2);
  CHECK(html.find("http://") == std::string::npos);
}

TEST_CASE("jobs paths split into store root and index path") {
  CHECK(cli::split_jobs_path("s3://b/p/jobs/o/r/1") == std::pair<std::string, std::string>{"s3://b/p", "jobs/o/r/1"});
  CHECK(cli::split_jobs_path("s3://b/jobs/o/r/") == std::pair<std::string, std::string>{"s3://b", "jobs/o/r"});
  CHECK(cli::split_jobs_path("/data/pods/ns/p/u") == std::pair<std::string, std::string>{"/data/pods/ns/p/u", ""});
  cli::JobQuery q{"octo/hello", "42", "1", "build"};
  CHECK(cli::query_prefix(q) == "jobs/octo/hello/42/1/build/");
}

TEST_CASE("lookup says which runs and repositories are closest") {
  auto dir = std::filesystem::temp_directory_path() / ("jobtrail-cli-locate-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  {
    storage::LocalStore s(dir);
    for (auto run : {"100", "120", "900"})
      s.put_new(std::string("jobs/octo/hello/") + run + "/1/build/u" + run + ".json",
                json{{"archive_prefix", std::string("pods/ns/p/u") + run + "/"}}.dump(), "application/json");
  }
  storage::StoreOptions so;
  auto status_and_message = [&](const cli::JobQuery& q) {
    try {
      cli::locate_archive(dir.string(), q, so);
    } catch (const cli::CliError& e) {
      return std::make_pair(e.status(), std::string(e.what()));
    }
    return std::make_pair(0, std::string());
  };
  auto [st, msg] = status_and_message({"octo/hello", "119", "", ""});
  CHECK(st == cli::exit_not_found);
  CHECK(msg == "no archive for run 119 in octo/hello; closest runs: 120, 100, 900");
  std::tie(st, msg) = status_and_message({"octo/hallo", "100", "", ""});
  CHECK(st == cli::exit_not_found);
  CHECK(msg.find("closest repositories: octo/hello") != std::string::npos);
  auto found = cli::locate_archive(dir.string(), {"octo/hello", "120", "", ""}, so);
  CHECK(found.where.prefix == "pods/ns/p/u120/");
  std::filesystem::remove_all(dir);
}

TEST_CASE("times outside the 64-bit nanosecond range are no times, and durations never overflow") {
  CHECK_FALSE(summary::parse_rfc3339_ns("1000-01-01T00:00:00Z"));
  CHECK_FALSE(summary::parse_rfc3339_ns("9999-12-31T23:59:59.999999999Z"));
  CHECK(summary::parse_rfc3339_ns("2262-01-01T00:00:00Z"));
  CHECK(summary::parse_rfc3339_ns("1678-01-01T00:00:00Z"));
  summary::Builder b;  // first and last event 584 years apart: more than int64 nanoseconds hold
  b.add({{"type", "process_exec"}, {"time", "1678-01-01T00:00:00Z"}});
  b.add({{"type", "process_exec"}, {"time", "2262-01-01T00:00:00Z"}});
  CHECK(b.result()["duration_s"].get<double>() > 1.8e10);
}

TEST_CASE("runner link: a workflow pod's job is the one of the runner pod archive running when it started") {
  auto manifest = [](std::string name, std::string start, std::string end, json identity, std::string runner = "") {
    archive::Manifest m;
    m.meta = {{"pod", {{"namespace", "ci"}, {"name", name}, {"runner_pod", runner}}}};
    m.started_at = std::move(start);
    m.ended_at = std::move(end);
    m.job_identity = std::move(identity);
    return m;
  };
  const json a = {{"GITHUB_REPOSITORY", "octo/a"}}, b = {{"GITHUB_REPOSITORY", "octo/b"}};
  const auto wf = manifest("r-workflow", "2026-11-29T00:10:00Z", "", nullptr, "r");
  using Folders = std::optional<std::vector<std::string>>;
  // Both layouts; layout 2 on the workflow pod's start date and the day before (the runner pod
  // started first, maybe before midnight).
  CHECK(cli::linked_runner_folders(wf) ==
        Folders({"pods/ci/r/", "events/dt=2026-11-28/ci/r/", "events/dt=2026-11-29/ci/r/"}));
  CHECK(cli::linked_runner_folders(manifest("r-workflow", "2026-03-01T00:00:00Z", "", nullptr, "r"))->at(1) ==
        "events/dt=2026-02-28/ci/r/");
  CHECK_FALSE(cli::linked_runner_folders(manifest("r-workflow", "", "", a, "r")));  // has its own identity
  CHECK_FALSE(cli::linked_runner_folders(manifest("p", "", "", nullptr)));            // links no runner pod
  // The label is the job's to set: it cannot name a folder outside the pod folders of <ns>, nor a
  // partition column; a start time that is no date names no layout-2 folder at all.
  CHECK(cli::linked_runner_folders(manifest("w", "garbage", "", nullptr, "../../jobs/x=1")) ==
        Folders({"pods/ci/.._.._jobs_x=1/", "events/dt=1969-12-31/ci/-._.._jobs_x-1/",
                 "events/dt=1970-01-01/ci/-._.._jobs_x-1/"}));
  CHECK(cli::linked_runner_folders(manifest("w", "2026-02-31T00:00:00Z", "", nullptr, "r")) == Folders({"pods/ci/r/"}));

  std::vector<std::pair<std::string, archive::Manifest>> two = {
      {"pods/ci/r/1/", manifest("r", "2026-11-29T00:00:00Z", "2026-11-29T00:05:00Z", a)},
      {"pods/ci/r/2/", manifest("r", "2026-11-29T00:09:00Z", "2026-11-29T00:20:00Z", b)}};
  auto link = cli::pick_runner_archive(two, wf);
  REQUIRE(link);
  CHECK(link->job_identity == b);
  CHECK(link->archive_prefix == "pods/ci/r/2/");
  CHECK(link->runner_pod == "ci/r");
  two[1].second.ended_at = "";  // still running: open-ended
  CHECK(cli::pick_runner_archive(two, wf)->job_identity == b);
  two[1].second.started_at = "2026-11-29T00:11:00Z";  // neither ran when the workflow pod started: ambiguous
  CHECK_FALSE(cli::pick_runner_archive(two, wf));
  // The only archive of that runner pod, but it had ended when the workflow pod started: a pod
  // the job created with that runner-pod label, not the runner's own workflow pod.
  CHECK_FALSE(cli::pick_runner_archive({two[0]}, wf));
  CHECK(cli::pick_runner_archive({two[0]}, manifest("r-workflow", "", "", nullptr, "r"))->job_identity == a);
  CHECK_FALSE(cli::pick_runner_archive({{"pods/ci/r/3/", manifest("r", "", "", nullptr)}}, wf));
}
