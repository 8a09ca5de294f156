// Writes a store of many jobs through the real archive Writer, with the summary row the sidecar
// writes (the same fold over every archived event, trail/summary/job_row.hpp), and a "truth"
// file of what it generated: the fleet test computes the expected answer of every query of
// docs/fleet.md from the truth alone, then asks DuckDB over the store.
//
//   make_fleet STORE --jobs N [--seed S] [--today YYYY-MM-DD] --truth FILE [--rows-only]
// Jobs start on the 14 days up to --today (default: today, UTC). --rows-only writes only the
// summary rows (no segments, no manifests): the 10,000-job benchmark's store.
#include <CLI/CLI.hpp>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "trail/archive/layout.hpp"
#include "trail/archive/writer.hpp"
#include "trail/events/json_time.hpp"
#include "trail/storage/local_store.hpp"
#include "trail/summary/job_row.hpp"

using nlohmann::json;
namespace archive = jobtrail::archive;

namespace {

struct Host {
  const char* name;
  const char* address;
};
// The destinations jobs pick from; "pastebin.com" is the one a platform team hunts for.
const Host common_hosts[] = {{"github.com", "140.82.112.3"},        {"registry.npmjs.org", "104.16.0.35"},
                             {"pypi.org", "151.101.0.223"},         {"files.pythonhosted.org", "151.101.1.63"},
                             {"pastebin.com", "104.20.67.143"},     {"objects.githubusercontent.com", "185.199.108.133"}};
const char* repos[] = {"octo/web", "octo/api", "acme/infra", "acme/ml"};
const char* workflows[] = {"CI", "Release", "Nightly"};
const char* job_names[] = {"build", "test", "deploy"};
struct Rule {
  const char* id;
  const char* severity;
};
const Rule rules[] = {{"pipe_to_shell", "high"}, {"cloud_metadata", "high"}, {"reverse_shell", "critical"},
                      {"hardcoded_ip", "low"}};

std::int64_t day_start_ns(const std::string& date) {
  std::tm tm{};
  if (!strptime(date.c_str(), "%Y-%m-%d", &tm)) throw std::runtime_error("--today wants YYYY-MM-DD");
  return static_cast<std::int64_t>(timegm(&tm)) * 1'000'000'000;
}

std::string today_utc() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char b[16];
  std::strftime(b, sizeof b, "%Y-%m-%d", &tm);
  return b;
}

// One job's plan and the events that carry it.
struct Job {
  json truth;
  json identity;
  json meta;
  std::vector<json> events;
  std::int64_t start_ns = 0, end_ns = 0;
  std::uint64_t lost = 0;
  bool complete = true;
  std::string prefix;
};

Job plan_job(std::uint64_t i, std::mt19937_64& rng, std::int64_t today_ns) {
  Job j;
  auto pick = [&](std::uint64_t n) { return static_cast<std::uint64_t>(rng() % n); };
  const std::string repo = repos[pick(4)], workflow = workflows[pick(3)], name = job_names[pick(3)];
  const std::uint64_t day = pick(14);
  // Distinct durations (a thousandth of a second apart) keep "longest jobs" free of ties.
  const std::int64_t duration_ms = static_cast<std::int64_t>(30'000 + pick(3'000'000) + i);
  j.start_ns = today_ns - static_cast<std::int64_t>(day) * 86'400'000'000'000 +
               static_cast<std::int64_t>(pick(80'000)) * 1'000'000'000;
  j.end_ns = j.start_ns + duration_ms * 1'000'000;
  char uid[32];
  std::snprintf(uid, sizeof uid, "uid-%06llu", static_cast<unsigned long long>(i));
  const std::string run_id = std::to_string(5000 + i), ns = "arc-" + repo.substr(0, repo.find('/'));
  const std::string pod = "runner-" + std::to_string(i);
  j.identity = {{"GITHUB_REPOSITORY", repo}, {"GITHUB_RUN_ID", run_id}, {"GITHUB_RUN_ATTEMPT", "1"},
                {"GITHUB_JOB", name}, {"GITHUB_WORKFLOW", workflow}, {"GITHUB_REF", "refs/heads/main"}};
  j.meta = {{"pod", {{"uid", uid}, {"name", pod}, {"namespace", ns}, {"node", "node-" + std::to_string(i % 5)}}}};
  j.prefix = archive::archive_prefix(ns, pod, uid, jobtrail::events::rfc3339_ns(j.start_ns));

  std::int64_t t = j.start_ns;
  std::uint64_t exec_id = 0;
  auto at = [&] { return jobtrail::events::rfc3339_ns(t += 1'000'000); };
  auto exec = [&](const std::string& binary, json args) {
    ++exec_id;
    j.events.push_back({{"type", "process_exec"}, {"time", at()},
                        {"process", {{"pid", 100 + exec_id}, {"exec_id", exec_id}, {"parent_exec_id", exec_id - 1},
                                     {"binary", binary}, {"args", std::move(args)}, {"cwd", "/home/runner/_work"}}}});
    j.events.push_back({{"type", "process_exit"}, {"time", at()},
                        {"process", {{"pid", 100 + exec_id}, {"exec_id", exec_id}, {"binary", binary}}},
                        {"exit", {{"code", 0}, {"signal", nullptr}}}});
  };
  j.events.push_back({{"type", "job_identity"}, {"time", at()}, {"job", j.identity}, {"revealed_by", 1}});
  exec("/usr/bin/git", {"git", "clone", "https://github.com/" + repo});
  json binaries = {{"/usr/bin/git", 1}};
  const std::uint64_t makes = 1 + pick(4);
  binaries["/usr/bin/make"] = makes;
  for (std::uint64_t k = 0; k < makes; ++k) exec("/usr/bin/make", {"make", "-j2"});
  std::uint64_t curl_k = 0;
  const std::uint64_t curls = pick(4);
  for (std::uint64_t k = 0; k < curls; ++k) {
    const bool insecure = pick(4) == 0;
    curl_k += insecure;
    exec("/usr/bin/curl", insecure ? json{"curl", "-k", "-sS", "https://internal.example/"} : json{"curl", "-sS", "https://x/"});
  }
  if (curls) binaries["/usr/bin/curl"] = curls;

  // Destinations: a few common hosts, and in the last days each repository starts talking to a
  // host of its own (new egress this week).
  json dests = json::array();
  std::vector<Host> hosts;
  for (auto& h : common_hosts)
    if (pick(3) == 0) hosts.push_back(h);
  static std::vector<std::string> fresh_names, fresh_addrs;
  if (fresh_names.empty())
    for (int r = 0; r < 4; ++r) {
      fresh_names.push_back("new-" + std::to_string(r) + ".example.net");
      fresh_addrs.push_back("203.0.113." + std::to_string(10 + r));
    }
  const int repo_index = static_cast<int>(std::find(std::begin(repos), std::end(repos), repo) - std::begin(repos));
  if (day < 3 && pick(2) == 0) hosts.push_back({fresh_names[repo_index].c_str(), fresh_addrs[repo_index].c_str()});
  for (auto& h : hosts) {
    const std::uint64_t sent = 100 + pick(10'000), received = 1000 + pick(1'000'000);
    json proc = {{"pid", 100 + exec_id}, {"exec_id", exec_id}, {"binary", "/usr/bin/curl"}};
    j.events.push_back({{"type", "dns_answer"}, {"time", at()}, {"process", proc},
                        {"dns", {{"name", h.name}, {"qtype", "A"}, {"rcode", "NOERROR"},
                                 {"answers", {{{"name", h.name}, {"type", "A"}, {"ttl", 60}, {"data", h.address}}}}}}});
    j.events.push_back({{"type", "net_connect"}, {"time", at()}, {"process", proc},
                        {"net", {{"protocol", "tcp"}, {"family", "ipv4"}, {"dst_addr", h.address}, {"dst_port", 443},
                                 {"dst_name", h.name}, {"result", "ok"}}}});
    j.events.push_back({{"type", "net_close"}, {"time", at()}, {"process", proc},
                        {"net", {{"protocol", "tcp"}, {"family", "ipv4"}, {"dst_addr", h.address}, {"dst_port", 443},
                                 {"dst_name", h.name}, {"bytes_sent", sent}, {"bytes_received", received},
                                 {"direction", "outgoing"}}}});
    dests.push_back({{"name", h.name}, {"address", h.address}, {"port", 443}, {"bytes_sent", sent}, {"bytes_received", received}});
  }

  // Findings: curl -k is the TLS rule; the others at random.
  json findings = json::array();
  auto finding = [&](const char* id, const char* severity, std::uint64_t n) {
    for (std::uint64_t k = 0; k < n; ++k)
      j.events.push_back({{"type", "finding"}, {"time", at()},
                          {"process", {{"pid", 100 + exec_id}, {"exec_id", exec_id}, {"binary", "/usr/bin/curl"}}},
                          {"finding", {{"id", id}, {"severity", severity}, {"title", id}, {"exec_ids", {exec_id}}}}});
    findings.push_back({{"rule", id}, {"severity", severity}, {"count", n}});
  };
  if (curl_k) finding("tls_verify_disabled", "medium", curl_k);
  for (auto& r : rules)
    if (pick(6) == 0) finding(r.id, r.severity, 1 + pick(3));

  if (i % 23 == 5) j.lost = 5 + i % 7;
  j.complete = i % 31 != 7;
  j.truth = {{"archive_id", uid}, {"archive_prefix", j.prefix}, {"repository", repo}, {"workflow", workflow},
             {"run_id", run_id}, {"job", name}, {"dt", archive::partition_date(jobtrail::events::rfc3339_ns(j.start_ns))},
             {"duration_s", static_cast<double>(duration_ms) / 1000.0}, {"curl_k", curl_k}, {"destinations", dests},
             {"findings", findings}, {"binaries", binaries}, {"lost_total", j.lost}, {"complete", j.complete}, {"execs", exec_id}};
  return j;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"make_fleet: a store of many jobs, their summary rows and the truth about them"};
  std::string store_dir, truth_path, today = today_utc();
  std::uint64_t jobs = 300, seed = 1;
  bool rows_only = false;
  app.add_option("store", store_dir, "Folder of the store")->required();
  app.add_option("--jobs", jobs, "Number of jobs");
  app.add_option("--seed", seed, "Random seed");
  app.add_option("--today", today, "Last day of the 14 (YYYY-MM-DD, UTC)");
  app.add_option("--truth", truth_path, "Where to write the truth (one JSON line per job)")->required();
  app.add_flag("--rows-only", rows_only, "Only the summary rows");
  CLI11_PARSE(app, argc, argv);
  try {
    auto store = std::make_shared<jobtrail::storage::LocalStore>(store_dir);
    std::ofstream truth(truth_path);
    std::mt19937_64 rng(seed);
    const auto today_ns = day_start_ns(today);
    const auto spool = std::filesystem::temp_directory_path() / ("jobtrail-make-fleet-" + std::to_string(::getpid()));
    for (std::uint64_t i = 0; i < jobs; ++i) {
      Job j = plan_job(i, rng, today_ns);
      jobtrail::summary::JobRowFold fold;
      if (rows_only) {
        archive::Manifest m;
        m.archive_id = j.truth["archive_id"];
        m.archive_prefix = j.prefix;
        m.meta = j.meta;
        m.job_identity = j.identity;
        m.started_at = jobtrail::events::rfc3339_ns(j.start_ns);
        m.ended_at = jobtrail::events::rfc3339_ns(j.end_ns);
        m.complete = j.complete;
        m.events = j.events.size();
        for (auto& ev : j.events) ++m.event_counts[ev["type"].get<std::string>()], fold.add(ev);
        if (j.lost) m.lost["file_open"] = j.lost;
        store->put_new(archive::summary_key(m.archive_id, m.started_at), jobtrail::summary::job_row_line(fold.row(m)),
                       "application/json");
      } else {
        archive::WriterOptions wo;
        wo.spool_dir = spool;
        wo.segment_max_age = std::chrono::hours(1);
        bool finishing = false;
        wo.wall_clock = [&] { return jobtrail::events::rfc3339_ns(finishing ? j.end_ns : j.start_ns); };
        archive::Writer w(wo, store, j.prefix, j.meta);
        w.set_job_row([&](const archive::Manifest& m) { return fold.row(m); });
        w.set_job_identity(j.identity);
        for (auto& ev : j.events)
          if (w.append(ev) != archive::Writer::dropped) fold.add(ev);  // what the sidecar's RowSink does
        if (j.lost) w.add_lost("file_open", j.lost);
        finishing = true;
        auto r = w.finish(j.complete, j.complete ? "" : "flush deadline passed",
                          std::chrono::steady_clock::now() + std::chrono::seconds(30));
        if (!r.not_uploaded.empty()) throw std::runtime_error("job " + std::to_string(i) + ": not all objects written");
      }
      truth << j.truth.dump() << "\n";
    }
    std::filesystem::remove_all(spool);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "make_fleet: " << e.what() << "\n";
    return 1;
  }
}
