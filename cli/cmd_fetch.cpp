// `jobtrail fetch`: parallel segment downloads into a folder, then the verifier on the copy.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>

#include "cli/common.hpp"
#include "cli/errors.hpp"
#include "cli/runner_link.hpp"
#include "cli/verify_output.hpp"
#include "trail/archive/layout.hpp"
#include "trail/archive/manifest.hpp"
#include "trail/archive/signing.hpp"
#include "trail/storage/local_store.hpp"
#include "trail/summary/fields.hpp"
#include "trail/text/terminal_text.hpp"

namespace jobtrail::cli {

namespace fs = std::filesystem;

namespace {

// A progress line on stderr, redrawn a few times a second, only on a terminal.
class Progress {
 public:
  Progress(std::size_t files, std::uint64_t bytes) : files_(files), bytes_(bytes), on_(::isatty(2) && ::isatty(1)) {
    if (on_) thread_ = std::thread([this] { loop(); });
  }
  ~Progress() { stop(); }
  void done(std::uint64_t bytes) {
    done_files_ += 1;
    done_bytes_ += bytes;
  }
  void stop() {
    if (!on_ || stopped_.exchange(true)) return;
    thread_.join();
    draw();
    std::fputc('\n', stderr);
  }

 private:
  void loop() {
    while (!stopped_) {
      draw();
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }
  void draw() {
    double frac = bytes_ ? static_cast<double>(done_bytes_) / static_cast<double>(bytes_) : 1.0;
    int width = 30, fill = static_cast<int>(frac * width);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::fprintf(stderr, "\r[%.*s%*s] %zu/%zu objects  %.1f/%.1f MiB  %.1f MiB/s ", fill,
                 "##############################", width - fill, "", done_files_.load(), files_, done_bytes_ / 1048576.0,
                 bytes_ / 1048576.0, secs > 0 ? done_bytes_ / 1048576.0 / secs : 0.0);
  }
  std::size_t files_;
  std::uint64_t bytes_;
  bool on_;
  std::atomic<std::size_t> done_files_{0};
  std::atomic<std::uint64_t> done_bytes_{0};
  std::atomic<bool> stopped_{false};
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::thread thread_;
};

}  // namespace

int run_fetch(const ArchiveArgs& a, const std::string& out_dir, int jobs) {
  auto keys = load_keys(a.keys);
  auto loc = locate(a);
  auto& store = *loc.where.store;
  const auto& prefix = loc.where.prefix;
  fs::path out(out_dir);
  std::error_code ec;
  if (fs::exists(out) && !fs::is_empty(out, ec))
    throw CliError(exit_usage, "output folder " + out.string() + " is not empty (fetch never overwrites)");
  fs::create_directories(out, ec);
  if (ec) throw CliError(exit_internal, "cannot create " + out.string() + ": " + ec.message());

  std::vector<storage::ObjectInfo> wanted;
  std::uint64_t total = 0;
  bool has_manifest = false;
  try {
    for (auto& o : store.list(prefix)) {
      auto rel = o.key.substr(prefix.size());
      if (archive::is_manifest_name(rel)) has_manifest = true;
      const bool signature = rel == std::string(archive::manifest_name) + std::string(archive::signature_suffix);
      if (archive::is_manifest_name(rel) || signature || archive::parse_segment_name(rel)) {
        wanted.push_back({rel, o.size, o.last_modified});
        total += o.size;
      }
    }
  } catch (const storage::StoreError& e) {
    throw explain(e, loc.url);
  }
  if (wanted.empty()) throw CliError(exit_not_found, "no archive objects under " + loc.url);

  Progress progress(wanted.size(), total);
  std::atomic<std::size_t> next{0};
  std::mutex mu;
  std::vector<std::string> failures;
  std::optional<storage::StoreError> first_store_error;
  auto worker = [&] {
    for (std::size_t i; (i = next++) < wanted.size();) {
      auto& o = wanted[i];
      auto part = out / (o.key + ".part");
      try {
        store.get_to_file(prefix + o.key, part);
        auto got = fs::file_size(part);
        if (got != o.size) throw std::runtime_error("got " + std::to_string(got) + " bytes, the listing says " + std::to_string(o.size));
        fs::rename(part, out / o.key);
        progress.done(o.size);
      } catch (const storage::StoreError& e) {
        std::lock_guard lock(mu);
        failures.push_back(o.key + ": " + e.what());
        if (!first_store_error) first_store_error = e;
        fs::remove(part, ec);
      } catch (const std::exception& e) {
        std::lock_guard lock(mu);
        failures.push_back(o.key + ": " + e.what());
        fs::remove(part, ec);
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < jobs && t < static_cast<int>(wanted.size()); ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  progress.stop();
  if (!failures.empty()) {
    for (auto& f : failures) std::cerr << "jobtrail: download failed: " << text::terminal_safe(f) << "\n";
    if (first_store_error) throw explain(*first_store_error, loc.url);
    throw CliError(exit_storage, std::to_string(failures.size()) + " download(s) failed from " + loc.url);
  }
  std::cout << "fetched " << wanted.size() << " objects (" << total << " bytes) from " << loc.url << " into "
            << out.string() << (has_manifest ? "" : " (no manifest: the archive was never finished)") << "\n";
  storage::LocalStore local(out);
  try {  // a workflow pod of kubernetes mode: say which job its runner pod's archive names
    if (const auto body = archive::read_manifest_body(local, "")) {
      const auto m = archive::manifest_from_json(nlohmann::json::parse(*body));
      if (auto link = runner_link_of(loc, m, a.store))
        std::cout << "a workflow pod: job " << text::terminal_safe(link->job_text()) << ", from the "
                  << text::terminal_safe(link->text()) << "\n";
    }
  } catch (const std::exception&) {  // a bad manifest: verify below says so
  }
  auto rep = archive::verify_archive(local, "");
  try {  // signatures of the copy; checkpoints and the index from the store
    auto auth = check_authenticity(rep, local, "", loc, keys, a.store);
    return print_verify_report(rep, out.string(), false, &auth);
  } catch (const storage::StoreError& e) {
    throw explain(e, loc.url);
  }
}

}  // namespace jobtrail::cli
