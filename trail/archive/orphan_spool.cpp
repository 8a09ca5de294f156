#include "trail/archive/orphan_spool.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <algorithm>
#include <fstream>
#include <set>
#include <spdlog/spdlog.h>

#include "trail/archive/manifest.hpp"
#include "trail/archive/sha256.hpp"
#include "trail/archive/spool.hpp"
#include "trail/archive/spool_lock.hpp"

namespace jobtrail::archive {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr std::size_t max_archives_per_folder = 4;
constexpr std::size_t max_files_per_archive = 4096;
constexpr std::uint64_t max_journal_bytes = 16 << 20;  // a record per segment: ~2 MB for 10 h of 10 s segments

struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
};

// At most `limit` names of the folder open as `dirfd` (not "." or ".."); `more` if it holds more.
std::vector<std::string> list_names(int dirfd, std::size_t limit, bool& more) {
  std::vector<std::string> out;
  more = false;
  int dup = ::dup(dirfd);
  if (dup < 0) return out;
  DIR* d = ::fdopendir(dup);
  if (!d) {
    ::close(dup);
    return out;
  }
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    if (out.size() == limit) {
      more = true;
      break;
    }
    out.push_back(std::move(name));
  }
  ::closedir(d);
  return out;
}

bool is_archive_dir_name(const std::string& n) {
  if (n.size() != 8 + 16 || !n.starts_with("archive-")) return false;
  for (char c : n.substr(8))
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

constexpr std::size_t max_journal_line = 64 << 10;  // records are a few KiB; bounds what one parse may cost

// Copies one file of the folder open as `dirfd` into `dest` from the descriptor it checked:
// no symlink, a regular file, at most `room` bytes. Returns "" or why not.
std::string copy_file(int dirfd, const std::string& name, const fs::path& dest, std::uint64_t room,
                      std::uint64_t& size, std::int64_t& newest_mtime) {
  Fd in(::openat(dirfd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (in.fd < 0) return name + ": " + std::strerror(errno) + (errno == ELOOP ? " (a symlink)" : "");
  struct stat st{};
  if (::fstat(in.fd, &st) != 0 || !S_ISREG(st.st_mode)) return name + " is not a regular file";
  size = static_cast<std::uint64_t>(st.st_size);
  if (size > room) return name + ": more than " + std::to_string(room) + " bytes";
  newest_mtime = std::max<std::int64_t>(newest_mtime, st.st_mtim.tv_sec);
  Fd out(::open((dest / name).c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (out.fd < 0) return "staging " + (dest / name).string() + ": " + std::strerror(errno);
  char buf[1 << 16];
  std::uint64_t left = size;  // what fstat saw: a file growing meanwhile is not followed
  while (left > 0) {
    auto n = ::read(in.fd, buf, std::min<std::uint64_t>(left, sizeof buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    for (ssize_t done = 0; done < n;) {
      auto w = ::write(out.fd, buf + done, static_cast<std::size_t>(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return "staging write: " + std::string(std::strerror(errno));
      done += w;
    }
    left -= static_cast<std::uint64_t>(n);
  }
  return "";
}

// The segment names the staged journal records, after checking every line's length. Segment
// files the journal does not list are not taken: salvaging them would decode hostile bytes.
std::string journal_segments(const fs::path& journal, std::set<std::string>& names) {
  std::ifstream in(journal, std::ios::binary);
  auto take = [&](const std::string& line) {
    json j = json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object() || j.value("t", json()) != "segment") return;
    auto e = j.find("entry");
    if (e == j.end() || !e->is_object()) return;
    auto n = e->find("name");
    if (n != e->end() && n->is_string() && parse_segment_name(n->get<std::string>())) names.insert(n->get<std::string>());
  };
  std::string line;
  char c;
  while (in.get(c)) {
    if (c != '\n') {
      if (line.size() == max_journal_line) return "a journal line longer than " + std::to_string(max_journal_line) + " bytes";
      line += c;
      continue;
    }
    take(line);
    line.clear();
  }
  if (!line.empty()) take(line);  // the writer reads a last line without '\n' too
  return "";
}

// Copies the journal and the segments it lists of one archive folder (open as `dirfd`) into
// `dest`. Returns "" or why the folder is refused.
std::string copy_archive(int dirfd, const fs::path& dest, std::uint64_t& bytes, std::uint64_t max_bytes,
                         std::int64_t& newest_mtime) {
  bool more = false;
  auto names = list_names(dirfd, max_files_per_archive, more);
  if (more) return "more than " + std::to_string(max_files_per_archive) + " files";
  if (std::find(names.begin(), names.end(), std::string(journal_name)) == names.end()) return "no journal";
  fs::create_directories(dest);
  std::uint64_t size = 0;
  auto why = copy_file(dirfd, std::string(journal_name), dest, std::min(max_journal_bytes, max_bytes - bytes), size,
                       newest_mtime);
  if (!why.empty()) return why;
  bytes += size;
  std::set<std::string> listed;
  why = journal_segments(dest / std::string(journal_name), listed);
  if (!why.empty()) return why;
  for (auto& name : names) {
    if (!listed.count(name)) continue;
    why = copy_file(dirfd, name, dest, max_bytes - bytes, size, newest_mtime);
    if (!why.empty()) return why;
    bytes += size;
  }
  return "";
}

struct ArchiveRecord {
  std::string prefix;
  json meta = json::object();
};

// The journal's "archive" record, checked: written for this store, for the folder the copy came
// from (its name is the hash of store and prefix) and for a prefix that ends in the pod's folder name.
std::string read_archive_record(const fs::path& journal, const std::string& store_url, const std::string& folder,
                                const std::string& archive_dir, ArchiveRecord& out) {
  std::ifstream in(journal);  // bounded: the copy is at most max_journal_bytes
  std::string line;
  while (std::getline(in, line)) {
    json j = json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object() || j.value("t", json()) != "archive") continue;
    auto store = j.find("store");
    auto prefix = j.find("archive_prefix");
    if (store == j.end() || !store->is_string() || prefix == j.end() || !prefix->is_string())
      return "archive record without store or archive_prefix";
    if (store->get<std::string>() != store_url) return "archive of another store";
    const auto p = prefix->get<std::string>();
    if (p.size() > 1024 || p.find("..") != std::string::npos) return "archive_prefix not acceptable";
    for (unsigned char c : p)
      if (c < 0x20 || c == 0x7f) return "archive_prefix with control characters";
    if (!p.ends_with("/" + folder + "/") && p != folder + "/") return "archive_prefix does not end in the folder's name";
    if ("archive-" + sha256_hex(store_url + "\n" + p).substr(0, 16) != archive_dir)
      return "folder name does not match its store and prefix";
    out.prefix = p;
    if (auto m = j.find("meta"); m != j.end() && m->is_object()) out.meta = *m;
    return "";
  }
  return "journal has no archive record";
}

}  // namespace

std::string orphan_reason(const std::string& finisher) { return "finished by " + finisher + " after owner died"; }

bool plausible_spool_name(const std::string& n) {
  if (n.empty() || n.size() > 128 || n[0] == '.') return false;
  for (char c : n)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
      return false;
  return true;
}

SweepReport sweep_orphans(const OrphanSweep& sw, const std::shared_ptr<storage::Store>& store) {
  SweepReport rep;
  auto skip = [&](const std::string& folder, const std::string& why) {
    ++rep.skipped;
    rep.reasons.push_back(folder + ": " + why);
    spdlog::warn("spool {}: folder {} skipped: {}", sw.root.string(), folder, why);
  };
  Fd root(::open(sw.root.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (root.fd < 0) return rep;
  bool more = false;
  auto names = list_names(root.fd, sw.max_folders, more);
  if (more) spdlog::warn("spool {}: more than {} folders; the rest waits for the next sweep", sw.root.string(), sw.max_folders);
  for (auto& name : names) {
    if (name == sw.own_name || name.starts_with(".")) continue;
    if (!plausible_spool_name(name)) {
      skip(name, "not a pod folder name");
      continue;
    }
    Fd dir(::openat(root.fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (dir.fd < 0) {
      skip(name, errno == ELOOP || errno == ENOTDIR ? "not a folder (or a symlink)" : std::strerror(errno));
      continue;
    }
    std::string why;
    auto lock = SpoolLock::try_take(dir.fd, why);
    if (!lock.held()) {
      if (why == "owner alive") ++rep.alive;
      else skip(name, why);
      continue;
    }
    struct stat lst{};
    std::int64_t newest = ::fstat(lock.fd(), &lst) == 0 ? lst.st_mtim.tv_sec : 0;
    bool more_entries = false;
    auto entries = list_names(dir.fd, max_archives_per_folder + 1, more_entries);
    std::vector<std::string> archives;
    for (auto& e : entries)
      if (is_archive_dir_name(e)) archives.push_back(e);
    if (archives.size() > max_archives_per_folder) {
      skip(name, "more than " + std::to_string(max_archives_per_folder) + " archives");
      continue;
    }
    // Copy first, all of it, checking as we go; adopt only a folder that passed entirely.
    const fs::path stage = sw.staging / name;
    std::error_code ec;
    fs::remove_all(stage, ec);
    std::string refused;
    std::uint64_t bytes = 0;
    for (auto& a : archives) {
      Fd adir(::openat(dir.fd, a.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      refused = adir.fd < 0 ? a + ": not a folder (or a symlink)" : copy_archive(adir.fd, stage / a, bytes, sw.max_bytes, newest);
      if (!refused.empty()) {
        refused = a + ": " + refused;
        break;
      }
    }
    const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch()).count();
    if (refused.empty() && now_s - newest < sw.grace.count()) {
      ++rep.alive;  // its sidecar may be restarting: it resumes its own spool
      fs::remove_all(stage, ec);
      continue;
    }
    bool all_done = refused.empty();
    for (std::size_t i = 0; refused.empty() && i < archives.size(); ++i) {
      ArchiveRecord rec;
      refused = read_archive_record(stage / archives[i] / std::string(journal_name), store->url(), name, archives[i], rec);
      if (!refused.empty()) break;
      try {
        WriterOptions wo = sw.writer;
        wo.spool_dir = stage;
        wo.spool_max_bytes = std::max<std::uint64_t>(wo.spool_max_bytes, sw.max_bytes);
        Writer w(wo, store, rec.prefix, rec.meta);
        auto r = w.finish(false, orphan_reason(sw.finisher), std::chrono::steady_clock::now() + sw.budget);
        auto s = w.stats();
        spdlog::info("spool {}: finished the orphaned archive {} of folder {}: {} events, {} segment(s) resumed{}",
                     sw.root.string(), rec.prefix, name, s.events, s.segments_resumed,
                     r.not_uploaded.empty() ? "" : ", not yet in the store: " + std::to_string(r.not_uploaded.size()));
        // Done unless something may still go later: a segment the store refused once more stays
        // refused (the manifest names it), and a manifest its owner had written already is never
        // overwritten (the segments it named as missing are in the store now).
        bool later = false;
        for (auto& n : r.not_uploaded) {
          if (std::find(r.given_up.begin(), r.given_up.end(), n) != r.given_up.end()) continue;
          if (n == manifest_name && !store->list(rec.prefix + std::string(manifest_name)).empty()) continue;
          later = true;
        }
        if (later) all_done = false;
      } catch (const std::exception& e) {
        refused = std::string("cannot resume it: ") + e.what();
      }
    }
    fs::remove_all(stage, ec);
    if (!refused.empty()) {
      skip(name, refused);
      continue;
    }
    if (!all_done) {
      ++rep.left;  // the store is not back yet: the next sweep tries again
      continue;
    }
    fs::remove_all(sw.root / name, ec);  // removes symlinks themselves, never what they point to
    if (ec) spdlog::warn("spool {}: cannot remove finished folder {}: {}", sw.root.string(), name, ec.message());
    ++rep.finished;
  }
  return rep;
}

}  // namespace jobtrail::archive
