// jobtrail-sidecar: `run` (in a pod) and `record` (locally, around one command).
// Start-up errors print one line and exit 1; after start-up the sidecar always exits 0
// (`run`) or with the command's status (`record`), see docs/sidecar.md.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <filesystem>
#include <iostream>

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "sidecar/cgroup.hpp"
#include "sidecar/http_endpoint.hpp"
#include "sidecar/options.hpp"
#include "sidecar/orphan_sweeper.hpp"
#include "sidecar/otlp_exporter.hpp"
#include "trail/sidecar_limits/ring_buffer_size.hpp"
#include "sidecar/session.hpp"
#include "sidecar/signing_key.hpp"
#include "trail/archive/layout.hpp"
#include "trail/archive/spool_lock.hpp"
#include "trail/archive/time_text.hpp"

namespace fs = std::filesystem;
using namespace jobtrail::sidecar;

namespace {

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

void add_common_flags(CLI::App& app, Options& o) {
  app.add_option("--cgroup", o.cgroup, "cgroup v2 directory to trace (default: discover own pod's cgroup)");
  app.add_option("--host-cgroup-root", o.host_cgroup_root,
                 "host cgroup2 mount (default /host/sys/fs/cgroup, else /sys/fs/cgroup/unified or /sys/fs/cgroup)");
  jobtrail::storage::add_store_flags(app, o.store);
  app.add_option("--spool,--spool-dir", o.spool,
                 "spool root for segments until uploaded (run: a node folder, one subfolder per pod uid)")
      ->capture_default_str();
  app.add_option("--spool-max-bytes", o.spool_max_bytes,
                 "bytes this pod's spool may hold; past it new events are counted as lost")
      ->capture_default_str();
  app.add_option("--spool-orphan-grace", o.spool_orphan_grace_s,
                 "SECONDS a dead sidecar's spool folder stays untouched before another finishes it")
      ->capture_default_str();
  app.add_option("--signing-key", o.signing_key,
                 "Ed25519 private key (PKCS#8 PEM) that signs the archive and its checkpoints; one that cannot be "
                 "loaded is logged and the archive is written unsigned");
  app.add_option("--segment-max-bytes", o.segment_max_bytes, "rotate segments at this size")->capture_default_str();
  app.add_option("--segment-max-age", o.segment_max_age_s, "rotate segments after SECONDS")->capture_default_str();
  app.add_option("--flush-deadline", o.flush_deadline_s, "SECONDS to finish the archive after SIGTERM")
      ->capture_default_str();
  app.add_option("--object-lock-mode", o.store.object_lock_mode,
                 "S3 Object Lock retention on every object written: GOVERNANCE|COMPLIANCE (the bucket must have "
                 "Object Lock enabled; docs/install.md)")
      ->check(CLI::IsMember(std::vector<std::string>{"GOVERNANCE", "COMPLIANCE"}));
  app.add_option("--object-lock-days", o.store.object_lock_days, "days each object stays locked after its write")
      ->check(CLI::Range(1, 36500));
  app.add_option("--files", o.files, "file events: folded|all|off")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, FilesMode>{{"folded", FilesMode::folded}, {"all", FilesMode::all}, {"off", FilesMode::off}}))
      ->default_str("folded");
  app.add_option("--output", o.output, "live stream on stdout: compact|json")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, OutputMode>{{"compact", OutputMode::compact}, {"json", OutputMode::json}}))
      ->default_str("compact");
  app.add_option("--stream", o.stream,
                 "live stream: story (processes, network, DNS, privilege, findings) or files/all (plus file "
                 "events); the archive always has every event")
      ->transform(CLI::CheckedTransformer(jobtrail::events::stream_scope_names()))
      ->option_text("story|files|all")
      ->default_str("story");
  app.add_option("--http-listen", o.http_listen, "ADDR:PORT of /readyz /healthz /metrics")->capture_default_str();
  app.add_option("--ring-buffer-kib", o.ring_buffer_kib,
                 "KiB of the BPF ring buffer all families share (power of two, >= page size)")
      ->capture_default_str();
  app.add_option("--memory-budget-mib", o.memory_budget_mib,
                 "MiB the sidecar may use, ring buffers included; past it the exec table and the file folds degrade "
                 "(docs/sidecar.md)")
      ->capture_default_str();
  app.add_option("--otlp-endpoint", o.otlp_endpoint, "also send the live stream as OTLP/HTTP JSON logs to http://HOST:PORT/v1/logs")
      ->check([](const std::string& url) { return parse_http_url(url) ? std::string() : "wants http://HOST:PORT/PATH (plain HTTP)"; });
  app.add_option("--log-level", o.log_level, "trace|debug|info|warn|error")->capture_default_str();
  // One value per occurrence: a list option would end at `--` and eat it, so `record --allow-domain X
  // -- CMD -c ...` would parse CMD's own options as ours.
  auto one_each = [](CLI::Option* opt) {
    opt->expected(1)->allow_extra_args(false)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  };
  one_each(app.add_option("--disable-finding", o.disabled_findings, "switch off a finding rule by id (repeatable; docs/findings.md)"));
  one_each(app.add_option("--allow-domain", o.allowed_domains,
                          "allowed domain (github.com, *.github.com; repeatable): others become findings"));
}

std::string hostname() {
  char buf[256] = {};
  return gethostname(buf, sizeof buf - 1) == 0 && buf[0] ? buf : "localhost";
}

std::string random_hex() {
  std::ifstream urandom("/dev/urandom", std::ios::binary);
  unsigned char b[8] = {};
  urandom.read(reinterpret_cast<char*>(b), sizeof b);
  std::string out;
  for (unsigned char c : b) out += "0123456789abcdef"[c >> 4], out += "0123456789abcdef"[c & 15];
  return out;
}

nlohmann::json pod_meta() {
  return {{"pod",
           {{"name", env_or("JOBTRAIL_POD_NAME", "")}, {"namespace", env_or("JOBTRAIL_POD_NAMESPACE", "")},
            {"uid", env_or("JOBTRAIL_POD_UID", "")}, {"node", env_or("JOBTRAIL_NODE_NAME", "")},
            {"runner_pod", env_or("JOBTRAIL_RUNNER_POD", "")},
            // What the webhook saw in the pod spec that lets other containers reach the sidecar.
            {"privileged_containers", env_or("JOBTRAIL_PRIVILEGED_CONTAINERS", "")},
            {"host_namespace_containers", env_or("JOBTRAIL_HOST_NAMESPACE_CONTAINERS", "")},
            {"shared_process_namespace", env_or("JOBTRAIL_SHARED_PROCESS_NAMESPACE", "") == "true"}}},
          {"sidecar_version", JOBTRAIL_VERSION}};
}

int do_run(Options& o) {
  auto root = find_cgroup2_root(o.host_cgroup_root);
  SessionSpec spec;
  if (!o.cgroup.empty()) {
    spec.target = o.cgroup;
    try {  // exclude ourselves if we live inside the target
      auto own = own_cgroup_dir(root);
      if (own.string().rfind(spec.target.string(), 0) == 0 && own != spec.target) spec.excluded = own;
    } catch (const std::exception&) {
    }
  } else {
    auto pc = discover_pod_cgroup(root);
    spec.target = pc.pod;
    spec.excluded = pc.container;
  }
  if (o.store.url.empty()) o.store.url = "file:///var/lib/jobtrail/archives";
  spec.store = jobtrail::storage::open_store(o.store);
  const std::string ns = env_or("JOBTRAIL_POD_NAMESPACE", "default"), pod = env_or("JOBTRAIL_POD_NAME", "unknown");
  const std::string uid = env_or("JOBTRAIL_POD_UID", std::to_string(cgroup_id_of(spec.target)));
  spec.spool = fs::path(o.spool) / uid;
  // Held until the process ends, however it ends: other sidecars on the node see this folder's
  // owner alive and leave it alone (trail/archive/spool_lock.hpp).
  jobtrail::archive::SpoolLock own_lock;
  try {
    own_lock = jobtrail::archive::SpoolLock::own(spec.spool, std::chrono::seconds(150));
  } catch (const std::exception& e) {
    spdlog::error("{}; tracing without the spool lock", e.what());
    fs::create_directories(spec.spool);
  }
  // A restarted sidecar continues its archive where the first one put it, even past midnight.
  spec.archive_prefix = jobtrail::archive::spooled_archive_prefix(spec.spool, spec.store->url());
  if (spec.archive_prefix.empty())
    spec.archive_prefix = jobtrail::archive::archive_prefix(ns, pod, uid, jobtrail::archive::now_rfc3339());
  spec.meta = pod_meta();
  spec.pod = {ns, pod};
  // Listening before the (slow) BPF load lets the startup probe see 503 rather than refused.
  std::unique_ptr<HttpEndpoint> http;
  if (!o.http_listen.empty()) http = std::make_unique<HttpEndpoint>(o.http_listen);
  Session session(o, spec);
  // Other pods' spools left on the node by a dead sidecar: finished in the background, after our
  // own tracing is attached, with a store client of their own.
  std::unique_ptr<OrphanSweeper> sweeper;
  try {
    jobtrail::archive::OrphanSweep sweep;
    sweep.root = o.spool;
    sweep.own_name = uid;
    sweep.finisher = ns + "/" + pod;
    sweep.staging = fs::temp_directory_path() / ("jobtrail-adopt-" + std::to_string(getpid()));
    sweep.max_bytes = o.spool_max_bytes;
    sweep.grace = std::chrono::seconds(static_cast<long>(o.spool_orphan_grace_s));
    configure_signing(o.signing_key, sweep.writer);  // adopted archives are signed like our own
    sweep.budget = std::min(std::chrono::milliseconds(15'000),
                            std::chrono::milliseconds(static_cast<long>(o.flush_deadline_s * 1000)));
    sweeper = std::make_unique<OrphanSweeper>(sweep, jobtrail::storage::open_store(o.store), own_lock);
  } catch (const std::exception& e) {
    spdlog::error("orphaned spools on this node are not finished: {}", e.what());
  }
  const fs::path target = spec.target, excluded = spec.excluded;
  const bool idle_exit = o.exit_when_idle;
  int idle_checks = 0;
  bool seen_busy = false;  // in container mode we may start before the pod's other containers
  try {
    session.run([&] {
      if (!idle_exit || ++idle_checks % 10) return false;
      const bool busy = cgroup_populated(target, excluded);
      seen_busy |= busy;
      return seen_busy && !busy;
    });
  } catch (const std::exception& e) {
    spdlog::error("after start-up: {} (exiting 0: a failing sidecar would fail the job)", e.what());
  }
  sweeper.reset();
  // A finished archive leaves only the lock: the folder goes, so the node keeps no empty ones.
  std::error_code ec;
  bool only_lock = true;
  for (auto& f : fs::directory_iterator(spec.spool, ec))
    if (f.path().filename() != jobtrail::archive::owner_lock_name) only_lock = false;
  if (!ec && only_lock) {
    fs::remove(spec.spool / jobtrail::archive::owner_lock_name, ec);
    fs::remove(spec.spool, ec);
  }
  return 0;  // never non-zero after start-up
}

int do_record(Options& o) {
  auto root = find_cgroup2_root(o.host_cgroup_root);
  SessionSpec spec;
  fs::path parent = o.cgroup.empty() ? root : fs::path(o.cgroup);
  spec.target = make_cgroup(parent, "jobtrail-record-" + std::to_string(getpid()));
  struct Cleanup {
    fs::path dir;
    ~Cleanup() {
      std::error_code ec;
      fs::remove(dir, ec);
    }
  } cleanup{spec.target};
  if (o.out_dir.empty() == o.store.url.empty())
    throw std::runtime_error("record needs exactly one of --out DIR (a local folder) or --storage URL");
  if (!o.out_dir.empty()) {
    for (auto name : {jobtrail::archive::manifest_name, jobtrail::archive::legacy_manifest_name})
      if (fs::exists(fs::path(o.out_dir) / name))
        throw std::runtime_error(o.out_dir + " already holds an archive (" + std::string(name) + "): choose a new folder");
    fs::create_directories(o.out_dir);
    o.store.url = o.out_dir;
  } else {  // the same layout as a pod's archive, so `jobtrail ls` finds it
    const std::string ns = env_or("JOBTRAIL_POD_NAMESPACE", "local");
    const std::string pod = env_or("JOBTRAIL_POD_NAME", hostname());
    spec.archive_prefix = jobtrail::archive::archive_prefix(ns, pod, env_or("JOBTRAIL_POD_UID", "record-" + random_hex()),
                                                            jobtrail::archive::now_rfc3339());
  }
  spec.store = jobtrail::storage::open_store(o.store);
  spec.spool = fs::path(o.spool) / ("record-" + std::to_string(getpid()));
  if (o.spool == "/var/spool/jobtrail") spec.spool = fs::temp_directory_path() / ("jobtrail-spool-" + std::to_string(getpid()));
  fs::create_directories(spec.spool);
  spec.meta = pod_meta();
  spec.meta["record"] = {{"command", o.command}};
  spec.pod = {"", "record"};
  std::unique_ptr<HttpEndpoint> http;
  if (o.http_listen_given) http = std::make_unique<HttpEndpoint>(o.http_listen);
  Session session(o, spec);
  if (!spec.archive_prefix.empty()) spdlog::info("archive: {}/{}", o.store.url, spec.archive_prefix);

  int go[2];
  if (pipe2(go, O_CLOEXEC)) throw std::runtime_error("pipe failed");
  pid_t child = fork();
  if (child < 0) throw std::runtime_error("fork failed");
  if (child == 0) {
    char c;
    ::close(go[1]);
    if (read(go[0], &c, 1) != 1) _exit(127);
    std::vector<char*> argv;
    for (auto& a : o.command) argv.push_back(a.data());
    argv.push_back(nullptr);
    signal(SIGPIPE, SIG_DFL);
    execvp(argv[0], argv.data());
    std::fprintf(stderr, "jobtrail-sidecar: cannot run %s: %s\n", argv[0], std::strerror(errno));
    _exit(127);
  }
  ::close(go[0]);
  {
    std::ofstream procs(spec.target / "cgroup.procs");
    procs << child << std::flush;
    if (!procs) spdlog::error("cannot move the command into {}", spec.target.string());
  }
  if (write(go[1], "g", 1) != 1) spdlog::error("cannot start the command");
  ::close(go[1]);
  int status = 0;
  bool reaped = false;
  const fs::path target = spec.target;
  session.run([&] {
    if (!reaped && waitpid(child, &status, WNOHANG) == child) reaped = true;
    return reaped && !cgroup_populated(target);
  });
  if (!reaped) {  // stopped by a signal: pass it on; after a sidecar error the command runs on
    if (!session.failed()) kill(child, SIGTERM);
    waitpid(child, &status, 0);
  }
  std::error_code ec;
  fs::remove_all(spec.spool, ec);
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"jobtrail-sidecar: per-job audit trail of one pod's processes, traced with eBPF"};
  app.require_subcommand(1);
  Options o;
  auto* run = app.add_subcommand("run", "trace this pod (native sidecar) until SIGTERM");
  add_common_flags(*run, o);
  run->add_flag("--exit-when-idle", o.exit_when_idle, "exit 0 once the pod's other processes are all gone");
  auto* record = app.add_subcommand("record", "run CMD in a fresh cgroup, trace it, exit with its status");
  add_common_flags(*record, o);
  record->add_option("--out", o.out_dir, "archive folder (or --storage URL)");
  record->add_option("command", o.command, "CMD [ARGS...] (after --)")->required();
  app.set_version_flag("--version", std::string("jobtrail-sidecar ") + JOBTRAIL_VERSION);
  CLI11_PARSE(app, argc, argv);
  // record serves /readyz only when asked; run always does (the startup probe needs it)
  o.http_listen_given = record->parsed() && record->count("--http-listen") > 0;

  if (auto why = ring_buffer_kib_error(o.ring_buffer_kib, static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE))); !why.empty()) {
    std::fprintf(stderr, "jobtrail-sidecar: %s\n", why.c_str());
    return 1;
  }
  auto logger = spdlog::stderr_color_mt("jobtrail");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(o.log_level));
  install_signal_handlers();
  try {
    return run->parsed() ? do_run(o) : do_record(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "jobtrail-sidecar: %s\n", e.what());
    return 1;
  }
}
