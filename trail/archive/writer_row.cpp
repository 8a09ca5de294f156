// Writer: the job's summary row (docs/fleet.md), written once at finish after the manifest.
#include <spdlog/spdlog.h>

#include <thread>

#include "trail/archive/layout.hpp"
#include "trail/archive/writer_impl.hpp"

namespace jobtrail::archive {

using nlohmann::json;
using clock = std::chrono::steady_clock;

void Writer::set_job_row(std::function<json(const Manifest&)> build) {
  std::lock_guard lock(impl_->mu);
  impl_->job_row = std::move(build);
}

bool Writer::Impl::write_job_row(const Manifest& man, clock::time_point deadline) {
  const auto began = clock::now();
  std::string row_line;
  try {
    row_line = job_row(man).dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
  } catch (const std::exception& e) {  // a row is a convenience: it never costs the archive
    spdlog::error("summary row not built: {}", e.what());
    return false;
  }
  const auto built = clock::now();
  const std::string key = summary_key(index_name(), man.started_at);
  std::string error;
  for (int attempt = 0;; ++attempt) {
    try {
      store->put_new(key, row_line, "application/json");
      spdlog::info("summary row {}: {} bytes, built in {:.1f} ms, written in {:.1f} ms", key, row_line.size(),
                   std::chrono::duration<double, std::milli>(built - began).count(),
                   std::chrono::duration<double, std::milli>(clock::now() - built).count());
      return true;
    } catch (const storage::StoreError& e) {
      error = e.code() + ": " + e.what();
      if (e.code() == "AlreadyExists") break;  // never overwritten, like every object
    } catch (const std::exception& e) {
      error = e.what();
    }
    auto pause = std::chrono::milliseconds(std::min(100 << std::min(attempt, 4), 1000));
    if (clock::now() + pause >= deadline) break;
    std::this_thread::sleep_for(pause);
  }
  spdlog::error("summary row {} could not be written to {} ({})", key, store->url(), error);
  return false;
}

}  // namespace jobtrail::archive
