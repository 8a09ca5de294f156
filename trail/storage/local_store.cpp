#include "trail/storage/local_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fstream>
#include <system_error>

namespace jobtrail::storage {

namespace fs = std::filesystem;

bool valid_key(std::string_view key) {
  if (key.empty() || key.front() == '/' || key.find('\0') != std::string_view::npos) return false;
  std::size_t start = 0;
  while (true) {
    auto end = key.find('/', start);
    auto part = key.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (part.empty() || part == "." || part == "..") return false;
    if (end == std::string_view::npos) return true;
    start = end + 1;
  }
}

namespace {
[[noreturn]] void throw_io(const std::string& what, const fs::path& p, int err) {
  bool missing = err == ENOENT;
  throw StoreError(missing ? "NoSuchKey" : (err == EACCES || err == EPERM) ? "AccessDenied" : "IOError",
                   what + " " + p.string() + ": " + std::strerror(err),
                   /*retryable=*/!missing && err != EACCES && err != EPERM);
}

std::string tmp_name() {
  static std::atomic<unsigned> counter{0};
  return ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

std::string rfc3339(fs::file_time_type t) {
  auto sys = std::chrono::file_clock::to_sys(t);
  std::time_t secs = std::chrono::system_clock::to_time_t(sys);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}
}  // namespace

LocalStore::LocalStore(fs::path root) : root_(fs::absolute(std::move(root)).lexically_normal()) {
  std::error_code ec;
  fs::create_directories(root_, ec);
  if (ec) throw StoreError("IOError", "cannot create store folder " + root_.string() + ": " + ec.message());
}

std::string LocalStore::url() const { return "file://" + root_.string(); }

fs::path LocalStore::path_of(const std::string& key) const {
  if (!valid_key(key)) throw StoreError("InvalidKey", "invalid object key '" + key + "'");
  return root_ / key;
}

// Hard-links a finished temporary file into place: atomic, and EEXIST instead of overwriting.
void LocalStore::publish(const fs::path& tmp, const std::string& key) {
  auto dst = path_of(key);
  if (::link(tmp.c_str(), dst.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    if (err == EEXIST) throw StoreError("AlreadyExists", "object already exists: " + dst.string());
    throw_io("cannot create", dst, err);
  }
  ::unlink(tmp.c_str());
}

void LocalStore::put_new(const std::string& key, std::string_view body, std::string_view) {
  auto dst = path_of(key);
  std::error_code ec;
  fs::create_directories(dst.parent_path(), ec);
  auto tmp = dst.parent_path() / tmp_name();
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) throw_io("cannot create", tmp, errno);
  std::size_t done = 0;
  while (done < body.size()) {
    auto n = ::write(fd, body.data() + done, body.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      throw_io("cannot write", tmp, err);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw_io("cannot write", tmp, err);
  }
  publish(tmp, key);
}

void LocalStore::put_new_file(const std::string& key, const fs::path& file, std::string_view) {
  auto dst = path_of(key);
  std::error_code ec;
  fs::create_directories(dst.parent_path(), ec);
  // Same file system (the usual `record --out` case): a hard link is instant and shares
  // the immutable sealed segment. Otherwise copy to a temporary file, then publish.
  if (::link(file.c_str(), dst.c_str()) == 0) return;
  int err = errno;
  if (err == EEXIST) throw StoreError("AlreadyExists", "object already exists: " + dst.string());
  if (err == ENOENT && !fs::exists(file)) throw_io("cannot read", file, ENOENT);
  auto tmp = dst.parent_path() / tmp_name();
  fs::copy_file(file, tmp, ec);
  if (ec) {
    fs::remove(tmp);
    throw_io("cannot copy to", tmp, ec.value());
  }
  publish(tmp, key);
}

std::string LocalStore::get(const std::string& key) {
  auto p = path_of(key);
  std::error_code ec;
  const auto status = fs::status(p, ec);
  if (ec || !fs::exists(status)) throw_io("cannot read", p, ec ? ec.value() : ENOENT);
  // A FIFO or device would block or never end: the folder may hold what an archive's writer put there.
  if (!fs::is_regular_file(status)) throw StoreError("IOError", "cannot read " + p.string() + ": not a regular file");
  std::ifstream in(p, std::ios::binary);
  if (!in) throw_io("cannot read", p, errno ? errno : ENOENT);
  std::string body;
  char chunk[1 << 16];
  while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {  // bounded even if the file grows meanwhile
    body.append(chunk, static_cast<std::size_t>(in.gcount()));
    if (body.size() > max_get_bytes)
      throw StoreError("TooLarge", p.string() + ": larger than " + std::to_string(max_get_bytes >> 20) +
                                       " MiB, more than any archive's small object holds");
  }
  if (in.bad()) throw_io("cannot read", p, errno ? errno : EIO);
  return body;
}

void LocalStore::get_to_file(const std::string& key, const fs::path& file) {
  auto p = path_of(key);
  std::error_code ec;
  if (!fs::exists(p)) throw_io("cannot read", p, ENOENT);
  fs::copy_file(p, file, fs::copy_options::overwrite_existing, ec);
  if (ec) throw_io("cannot copy", p, ec.value());
}

std::unique_ptr<std::istream> LocalStore::open_read(const std::string& key) {
  auto p = path_of(key);
  auto in = std::make_unique<std::ifstream>(p, std::ios::binary);
  if (!*in) throw_io("cannot read", p, errno ? errno : ENOENT);
  return in;
}

std::vector<ObjectInfo> LocalStore::list(const std::string& prefix) {
  // Walk only the folder the prefix names (S3 prefixes are plain string prefixes, so
  // "pods/ns/po" must also match "pods/ns/pod-1/..."): start at its last '/'.
  auto cut = prefix.rfind('/');
  std::string dir_part = cut == std::string::npos ? "" : prefix.substr(0, cut);
  fs::path start = dir_part.empty() ? root_ : root_ / dir_part;
  std::vector<ObjectInfo> out;
  std::error_code ec;
  if (!fs::is_directory(start, ec)) return out;
  for (auto it = fs::recursive_directory_iterator(start, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    auto name = it->path().filename().string();
    if (name.starts_with(".tmp-")) continue;
    auto key = it->path().lexically_relative(root_).generic_string();
    if (!key.starts_with(prefix)) continue;
    out.push_back({key, it->file_size(), rfc3339(it->last_write_time())});
  }
  if (ec) throw StoreError("IOError", "cannot list " + start.string() + ": " + ec.message(), true);
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.key < b.key; });
  return out;
}

}  // namespace jobtrail::storage
