#pragma once
// Who owns a pod's spool folder on the node. The live sidecar holds an exclusive flock(2) on
// <folder>/owner.lock for as long as it runs; the kernel drops it when the process dies, however
// it dies. So a folder whose lock another sidecar can take has no live owner: it is orphaned.
#include <chrono>
#include <filesystem>
#include <string>
#include <utility>

namespace jobtrail::archive {

inline constexpr char owner_lock_name[] = "owner.lock";

class SpoolLock {
 public:
  SpoolLock() = default;
  ~SpoolLock();
  SpoolLock(SpoolLock&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  SpoolLock& operator=(SpoolLock&& o) noexcept {
    std::swap(fd_, o.fd_);
    return *this;
  }
  SpoolLock(const SpoolLock&) = delete;
  bool held() const { return fd_ >= 0; }
  int fd() const { return fd_; }

  // The owner: creates `dir` and its lock file, and waits (up to `wait`) while another sidecar
  // holds it (finishing this folder as an orphan). A lock file that was removed while we waited
  // is made again. Throws when the folder cannot be used at all.
  static SpoolLock own(const std::filesystem::path& dir, std::chrono::seconds wait);
  // An adopter: the lock of the folder open as `dirfd`, without waiting, following no symlink;
  // not held() when the owner is alive or the folder has no lock file (`why` says which).
  static SpoolLock try_take(int dirfd, std::string& why);

 private:
  explicit SpoolLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace jobtrail::archive
