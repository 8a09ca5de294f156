// Test and benchmark helper: writes a real archive with the archive Writer from event JSON
// lines (docs/schema.md) on stdin, or from a synthetic generator. The sidecar is not needed.
//
//   make_archive STORE [--prefix pods/ns/pod/uid/] [--meta JSON] [--segment-max-bytes N]
//                [--lost TYPE=N]... [--incomplete REASON] [--synthetic N] [--signing-key PEM]
//                [--s3-* flags] < events.jsonl
// A `job_identity` event (not a mismatch) also sets the Writer's identity (index object under jobs/).
#include <CLI/CLI.hpp>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "trail/archive/writer.hpp"
#include "trail/sign/key_file.hpp"
#include "trail/storage/store.hpp"

using nlohmann::json;

namespace {

// A plausible CI trail, cycling through exec/exit, file, net and dns events (bench/cli.sh).
json synthetic_event(std::uint64_t i) {
  static const char* bins[] = {"/usr/bin/cc", "/usr/bin/make", "/bin/sh", "/usr/bin/git", "/usr/bin/curl"};
  const std::uint64_t exec = i / 8 + 1;
  char t[64];
  std::snprintf(t, sizeof t, "2026-11-29T00:%02llu:%02llu.%09lluZ", static_cast<unsigned long long>(i / 60'000'000 % 60),
                static_cast<unsigned long long>(i / 1'000'000 % 60), static_cast<unsigned long long>(i % 1'000'000 * 1000));
  json proc = {{"pid", 1000 + exec % 30000}, {"ppid", 1000 + exec / 2 % 30000}, {"exec_id", exec},
               {"parent_exec_id", exec / 2}, {"binary", bins[exec % 5]}};
  json ev = {{"time", t}};
  switch (i % 8) {
    case 0:
      ev["type"] = "process_exec";
      proc["args"] = {bins[exec % 5], "-c", "step " + std::to_string(exec)};
      proc["cwd"] = "/home/runner/_work/app";
      proc["uid"] = 1001;
      break;
    case 7: ev["type"] = "process_exit"; ev["exit"] = {{"code", exec % 13 == 0 ? 1 : 0}, {"signal", nullptr}}; break;
    case 1:
    case 2:
    case 3:
      ev["type"] = "file_open";
      ev["file"] = {{"path", i % 3 ? "/home/runner/_work/app/src/f" + std::to_string(i % 500) + ".c" : "/tmp/out" + std::to_string(i % 50)},
                    {"mode", i % 2 ? json{"read"} : json{"write", "create"}}, {"result", "ok"}};
      break;
    case 4:
      ev["type"] = "dns_answer";
      ev["dns"] = {{"name", "host" + std::to_string(i % 40) + ".example.com"}, {"qtype", "A"}, {"rcode", "NOERROR"},
                   {"answers", {{{"name", "x"}, {"type", "A"}, {"ttl", 60}, {"data", "10.0." + std::to_string(i % 40) + ".1"}}}}};
      break;
    case 5:
      ev["type"] = "net_connect";
      ev["net"] = {{"protocol", "tcp"}, {"dst_addr", "10.0." + std::to_string(i % 40) + ".1"}, {"dst_port", 443}, {"result", "ok"}};
      break;
    default:
      ev["type"] = "net_close";
      ev["net"] = {{"protocol", "tcp"}, {"dst_addr", "10.0." + std::to_string(i % 40) + ".1"}, {"dst_port", 443},
                   {"bytes_sent", 500}, {"bytes_received", 40000}};
  }
  ev["process"] = proc;
  return ev;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"make_archive: write a jobtrail archive from event JSON lines"};
  jobtrail::storage::StoreOptions so;
  std::string prefix, meta_text = "{}", incomplete, signing_key;
  std::uint64_t seg_bytes = 8 << 20, synthetic = 0;
  std::vector<std::string> lost;
  app.add_option("store", so.url, "file:///DIR, a folder, or s3://BUCKET/PREFIX")->required();
  app.add_option("--prefix", prefix, "Archive prefix (pods/ns/pod/uid/), '' for a folder archive");
  app.add_option("--meta", meta_text, "Manifest meta (JSON)");
  app.add_option("--segment-max-bytes", seg_bytes, "Segment rotation size");
  app.add_option("--lost", lost, "TYPE=N losses for the manifest");
  app.add_option("--incomplete", incomplete, "Finish with complete:false and this reason");
  app.add_option("--synthetic", synthetic, "Write N generated events instead of reading stdin");
  app.add_option("--signing-key", signing_key, "Sign with this Ed25519 private key (PEM), as the sidecar does");
  jobtrail::storage::add_store_flags(app, so);
  CLI11_PARSE(app, argc, argv);
  try {
    auto store = jobtrail::storage::open_store(so);
    auto spool = std::filesystem::temp_directory_path() /
                 ("jobtrail-make-archive-" + std::to_string(::getpid()));
    std::filesystem::remove_all(spool);
    jobtrail::archive::WriterOptions wo;
    wo.spool_dir = spool;
    wo.segment_max_bytes = seg_bytes;
    wo.segment_max_age = std::chrono::hours(1);
    if (!signing_key.empty())
      wo.signing_key = std::make_shared<const jobtrail::sign::PrivateKey>(jobtrail::sign::load_private_key(signing_key));
    jobtrail::archive::Writer w(wo, store, prefix, json::parse(meta_text));
    if (synthetic) {
      for (std::uint64_t i = 0; i < synthetic; ++i) {
        auto ev = synthetic_event(i);
        w.append(ev);
      }
    } else {
      std::string line;
      while (std::getline(std::cin, line)) {
        if (line.empty()) continue;
        auto ev = json::parse(line);
        // as the sidecar does: a mismatch is recorded, never adopted
        if (ev.value("type", "") == "job_identity" && ev.contains("job") && !ev.value("mismatch", false))
          w.set_job_identity(ev["job"]);
        w.append(ev);
      }
    }
    for (auto& l : lost) {
      auto eq = l.find('=');
      w.add_lost(l.substr(0, eq), std::stoull(l.substr(eq + 1)));
    }
    auto r = w.finish(incomplete.empty(), incomplete, std::chrono::steady_clock::now() + std::chrono::seconds(60));
    std::filesystem::remove_all(spool);
    if (!r.not_uploaded.empty()) {
      std::cerr << "make_archive: not uploaded: " << r.not_uploaded.size() << "\n";
      return 1;
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "make_archive: " << e.what() << "\n";
    return 1;
  }
}
