#include "sidecar/orphan_sweeper.hpp"

#include <sys/stat.h>

#include <spdlog/spdlog.h>

#include "sidecar/metrics.hpp"

namespace jobtrail::sidecar {

OrphanSweeper::OrphanSweeper(archive::OrphanSweep sweep, std::shared_ptr<storage::Store> store,
                             const archive::SpoolLock& own)
    : sweep_(std::move(sweep)), store_(std::move(store)), own_lock_fd_(own.held() ? own.fd() : -1) {
  thread_ = std::thread([this] { run(); });
}

OrphanSweeper::~OrphanSweeper() { stop(); }

void OrphanSweeper::stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void OrphanSweeper::run() {
  using namespace std::chrono_literals;
  auto next_sweep = std::chrono::steady_clock::now();
  std::unique_lock lock(mu_);
  while (!stop_) {
    if (own_lock_fd_ >= 0) ::futimens(own_lock_fd_, nullptr);  // "alive", for adopters' grace time
    if (std::chrono::steady_clock::now() >= next_sweep) {
      lock.unlock();
      try {
        auto rep = archive::sweep_orphans(sweep_, store_);
        g_metrics.orphan_spools_finished += rep.finished;
        g_metrics.orphan_spools_skipped += rep.skipped;
        if (rep.finished || rep.left || rep.skipped)
          spdlog::info("spool sweep: {} orphaned folder(s) finished, {} waiting for the store, {} skipped, {} alive",
                       rep.finished, rep.left, rep.skipped, rep.alive);
      } catch (const std::exception& e) {
        spdlog::error("spool sweep failed: {}", e.what());
      }
      lock.lock();
      next_sweep = std::chrono::steady_clock::now() + 60s;
    }
    cv_.wait_for(lock, 10s, [this] { return stop_; });
  }
}

}  // namespace jobtrail::sidecar
