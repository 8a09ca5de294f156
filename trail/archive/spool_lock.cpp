#include "trail/archive/spool_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <spdlog/spdlog.h>
#include <stdexcept>
#include <thread>

namespace jobtrail::archive {

SpoolLock::~SpoolLock() {
  if (fd_ >= 0) ::close(fd_);
}

SpoolLock SpoolLock::own(const std::filesystem::path& dir, std::chrono::seconds wait) {
  const auto give_up = std::chrono::steady_clock::now() + wait;
  bool logged = false;
  while (true) {
    std::filesystem::create_directories(dir);
    const auto path = dir / owner_lock_name;
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("cannot open spool lock " + path.string() + ": " + std::strerror(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      if (errno != EWOULDBLOCK || std::chrono::steady_clock::now() >= give_up) {
        ::close(fd);
        throw std::runtime_error("spool folder " + dir.string() + " is locked by another process");
      }
      if (!logged) spdlog::warn("spool folder {} is being finished by another sidecar; waiting for it", dir.string());
      logged = true;
      ::close(fd);
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      continue;
    }
    // An adopter that finished the folder removed it, lock file included, before we got the
    // lock: ours would be on a file nobody else can find. Start over with a new one.
    struct stat held{}, now{};
    if (::fstat(fd, &held) == 0 && ::lstat(path.c_str(), &now) == 0 && held.st_ino == now.st_ino &&
        held.st_dev == now.st_dev && held.st_nlink > 0)
      return SpoolLock(fd);
    ::close(fd);
  }
}

SpoolLock SpoolLock::try_take(int dirfd, std::string& why) {
  int fd = ::openat(dirfd, owner_lock_name, O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    why = errno == ENOENT ? "no owner.lock (a sidecar starting, or not a spool folder)"
                          : std::string("owner.lock: ") + std::strerror(errno);
    return SpoolLock();
  }
  struct stat st{};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    why = "owner.lock is not a regular file";
    return SpoolLock();
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    why = "owner alive";
    return SpoolLock();
  }
  return SpoolLock(fd);
}

}  // namespace jobtrail::archive
