#pragma once
// The background side of the node spool: keeps this sidecar's own folder marked alive (the
// owner.lock it holds, touched every few seconds so a restart of a crashed sidecar is not taken
// for a dead owner) and, at start and then once a minute, finishes the folders of pods whose
// sidecar died (trail/archive/orphan_spool.hpp). Its own store client, so that an orphan's flush
// deadline never touches this pod's uploads.
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "trail/archive/orphan_spool.hpp"
#include "trail/archive/spool_lock.hpp"

namespace jobtrail::sidecar {

class OrphanSweeper {
 public:
  OrphanSweeper(archive::OrphanSweep sweep, std::shared_ptr<storage::Store> store, const archive::SpoolLock& own);
  ~OrphanSweeper();  // stop()
  void stop();       // ends after the orphan under way (bounded by its budget)

 private:
  void run();
  archive::OrphanSweep sweep_;
  std::shared_ptr<storage::Store> store_;
  int own_lock_fd_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace jobtrail::sidecar
