// The per-job summary row (trail/summary/job_row.hpp): what it says about an ordinary job, and
// that a job choosing its own cardinality and string lengths cannot make it large.
#include <doctest/doctest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "trail/summary/job_row.hpp"

using jobtrail::archive::Manifest;
using jobtrail::summary::JobRowFold;
using jobtrail::summary::job_row_line;
using jobtrail::summary::RowLimits;
using nlohmann::json;

namespace {

json exec(const std::string& binary, std::uint64_t id) {
  return {{"type", "process_exec"}, {"time", "2026-12-01T10:00:01.000000000Z"},
          {"process", {{"pid", 100 + id}, {"exec_id", id}, {"binary", binary}, {"args", {binary}}}}};
}
json close_of(const std::string& addr, int port, std::uint64_t sent, std::uint64_t received) {
  return {{"type", "net_close"}, {"time", "2026-12-01T10:00:02.000000000Z"},
          {"process", {{"pid", 100}, {"exec_id", 1}, {"binary", "/usr/bin/curl"}}},
          {"net", {{"protocol", "tcp"}, {"dst_addr", addr}, {"dst_port", port}, {"bytes_sent", sent}, {"bytes_received", received}}}};
}
json connect_to(const std::string& addr, int port) {
  return {{"type", "net_connect"}, {"time", "2026-12-01T10:00:02.000000000Z"},
          {"process", {{"pid", 100}, {"exec_id", 1}, {"binary", "/usr/bin/curl"}}},
          {"net", {{"protocol", "tcp"}, {"dst_addr", addr}, {"dst_port", port}, {"result", "ok"}}}};
}
json answer(const std::string& name, const std::string& addr) {
  return {{"type", "dns_answer"}, {"time", "2026-12-01T10:00:01.500000000Z"},
          {"dns", {{"name", name}, {"qtype", "A"}, {"rcode", "NOERROR"}, {"answers", {{{"name", name}, {"type", "A"}, {"data", addr}}}}}}};
}
json finding(const std::string& rule, const std::string& severity) {
  return {{"type", "finding"}, {"time", "2026-12-01T10:00:03.000000000Z"},
          {"process", {{"pid", 100}, {"exec_id", 1}, {"binary", "/usr/bin/curl"}}},
          {"finding", {{"id", rule}, {"severity", severity}, {"title", "t"}, {"exec_ids", {1}}}}};
}

Manifest manifest() {
  Manifest m;
  m.archive_id = "uid-1";
  m.archive_prefix = "events/dt=2026-12-01/ci/runner-1/uid-1/";
  m.meta = {{"pod", {{"uid", "uid-1"}, {"name", "runner-1"}, {"namespace", "ci"}, {"node", "n1"}}}};
  m.job_identity = {{"GITHUB_REPOSITORY", "octo/hello"}, {"GITHUB_RUN_ID", "42"}, {"GITHUB_RUN_ATTEMPT", "2"},
                    {"GITHUB_JOB", "build"}, {"GITHUB_WORKFLOW", "CI"}, {"GITHUB_REF", "refs/heads/main"}};
  m.started_at = "2026-12-01T10:00:00.000000000Z";
  m.ended_at = "2026-12-01T10:01:30.500000000Z";
  m.complete = true;
  m.events = 9;
  m.event_counts = {{"process_exec", 3}, {"net_close", 2}, {"dns_answer", 1}, {"finding", 3}};
  return m;
}

}  // namespace

TEST_CASE("the row of an ordinary job: identity, pod, times, counts, destinations, binaries, findings") {
  JobRowFold fold;
  for (auto& ev : {exec("/usr/bin/git", 1), exec("/usr/bin/curl", 2), exec("/usr/bin/curl", 3),
                   answer("example.com", "93.184.216.34"), connect_to("93.184.216.34", 443),
                   close_of("93.184.216.34", 443, 100, 5000), close_of("10.0.0.1", 80, 10, 10),
                   finding("tls_verify_disabled", "high"), finding("tls_verify_disabled", "high"),
                   finding("pipe_to_shell", "critical")})
    fold.add(ev);
  auto m = manifest();
  auto row = fold.row(m);
  CHECK(row["row_version"] == 1);
  CHECK(row["layout_version"] == 2);
  CHECK(row["repository"] == "octo/hello");
  CHECK(row["workflow"] == "CI");
  CHECK(row["run_id"] == "42");
  CHECK(row["run_attempt"] == "2");
  CHECK(row["job"] == "build");
  CHECK(row["ref"] == "refs/heads/main");
  CHECK(row["actor"].is_null());  // not known: null, not ""
  CHECK(row["namespace"] == "ci");
  CHECK(row["pod"] == "runner-1");
  CHECK(row["archive_prefix"] == "events/dt=2026-12-01/ci/runner-1/uid-1/");
  CHECK(row["duration_s"].get<double>() == doctest::Approx(90.5));
  CHECK(row["verdict"] == "ok");
  CHECK(row["events"] == 9);
  CHECK(row["execs"] == 3);
  CHECK(row["binaries_total"] == 2);
  CHECK(row["binaries"][0] == json{{"binary", "/usr/bin/curl"}, {"execs", 2}});
  CHECK(row["binaries_omitted"] == 0);
  REQUIRE(row["destinations"].size() == 2);
  CHECK(row["destinations"][0] == json{{"address", "93.184.216.34"}, {"port", 443}, {"protocol", "tcp"},
                                       {"names", {"example.com"}}, {"connections", 1}, {"bytes_sent", 100},
                                       {"bytes_received", 5000}});
  CHECK(row["destinations"][1]["address"] == "10.0.0.1");
  CHECK(row["findings_total"] == 3);
  CHECK(row["findings"][0] == json{{"rule", "tls_verify_disabled"}, {"severity", "high"}, {"count", 2}});
  CHECK(row["findings"][1] == json{{"rule", "pipe_to_shell"}, {"severity", "critical"}, {"count", 1}});
  auto line = job_row_line(row);
  CHECK(line.back() == '\n');
  CHECK(line.find('\n') == line.size() - 1);
  MESSAGE("typical row: " << line.size() << " bytes");
  CHECK(line.size() <= 4096);
}

TEST_CASE("the verdict the sidecar can tell: incomplete, family missing, lost events, ok") {
  auto m = manifest();
  JobRowFold fold;
  CHECK(fold.row(m)["verdict"] == "ok");
  m.lost = {{"file_open", 3}};
  auto row = JobRowFold().row(m);
  CHECK(row["verdict"] == "lost_events");
  CHECK(row["lost_total"] == 3);
  CHECK(row["lost"] == json::array({{{"type", "file_open"}, {"count", 3}}}));
  m.meta["features"] = {{"file", {{"loaded", false}, {"reason", "x"}}}};
  CHECK(JobRowFold().row(m)["verdict"] == "family_missing");
  m.complete = false;
  m.incomplete_reason = "2 of 5 segments were not in the store";
  row = JobRowFold().row(m);
  CHECK(row["verdict"] == "incomplete");
  CHECK(row["complete"] == false);
  CHECK(row["incomplete_reason"] == "2 of 5 segments were not in the store");
}

TEST_CASE("a hostile job's cardinality and string lengths leave the row bounded and say what was omitted") {
  JobRowFold fold;
  const std::string long_name(3000, 'b');
  for (std::uint64_t i = 0; i < 3000; ++i) fold.add(exec("/tmp/" + long_name + std::to_string(i), i + 1));
  for (int i = 0; i < 3000; ++i) {
    auto addr = "10." + std::to_string(i / 256) + "." + std::to_string(i % 256) + ".1";
    fold.add(answer(std::string(250, 'n') + std::to_string(i) + ".example", addr));
    fold.add(close_of(addr, 1000 + i, 1, static_cast<std::uint64_t>(i)));
  }
  for (int i = 0; i < 500; ++i) fold.add(finding(std::string(1000, 'r') + std::to_string(i), "high"));
  auto m = manifest();
  m.incomplete_reason = std::string(100000, 'x');
  m.complete = false;
  for (int i = 0; i < 1000; ++i) m.lost["type_" + std::to_string(i)] = 1;
  auto row = fold.row(m);
  const RowLimits lim;
  auto line = job_row_line(row);
  MESSAGE("hostile row: " << line.size() << " bytes");
  CHECK(line.size() <= lim.max_row_bytes);
  CHECK(row["destinations"].size() <= lim.destinations);
  CHECK(row["binaries"].size() <= lim.binaries);
  CHECK(row["findings"].size() <= lim.findings);
  CHECK(row["lost"].size() <= lim.counts);
  CHECK(row["lost_total"] == 1000);  // the total stays exact
  CHECK(row["findings_total"] == 500);
  // Every list says how much it left out; the fold's own bound is named.
  CHECK(row["destinations_omitted"].get<std::uint64_t>() == row["destinations_total"].get<std::uint64_t>() - row["destinations"].size());
  CHECK(row["destinations_total"] == 512);  // the fold's bound, named in summary_truncated
  CHECK(row["binaries_omitted"].get<std::uint64_t>() == row["binaries_total"].get<std::uint64_t>() - row["binaries"].size());
  CHECK(row["findings_omitted"].get<std::uint64_t>() == 500 - row["findings"].size());
  CHECK_FALSE(row["summary_truncated"].empty());
  // The biggest transfers come first even when the list was cut.
  if (!row["destinations"].empty()) CHECK(row["destinations"][0]["bytes_received"] == 511);  // the fold kept the first 512
  CHECK(row["incomplete_reason"].get<std::string>().size() <= lim.text_bytes + 3);
  CHECK(json::parse(line) == row);
}

TEST_CASE("strings are cut on a UTF-8 boundary") {
  JobRowFold fold;
  std::string name = "/usr/bin/";
  while (name.size() < 400) name += "\xc3\xa9";  // é, two bytes each, at every offset parity
  fold.add(exec(name, 1));
  fold.add(exec(name + "x", 2));
  auto row = fold.row(manifest());
  for (auto& b : row["binaries"]) {
    auto s = b["binary"].get<std::string>();
    CHECK(s.size() <= RowLimits{}.text_bytes + 3);
    CHECK(s.find("\xef\xbf\xbd") == std::string::npos);  // no U+FFFD: nothing was split
  }
  CHECK(json::parse(job_row_line(row)) == row);
}
