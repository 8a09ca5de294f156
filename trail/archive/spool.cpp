#include "trail/archive/spool.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <spdlog/spdlog.h>
#include <stdexcept>

#include "trail/archive/line_reader.hpp"
#include "trail/archive/segment_file.hpp"

namespace jobtrail::archive {

namespace fs = std::filesystem;
using nlohmann::json;

Journal::Journal(fs::path path) : path_(std::move(path)) {
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) throw std::runtime_error("cannot open spool journal " + path_.string() + ": " + std::strerror(errno));
}

Journal::~Journal() {
  if (fd_ >= 0) ::close(fd_);
}

void Journal::append(const json& record) {
  std::string line = record.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
  std::lock_guard lock(mu_);
  const char* p = line.data();
  std::size_t left = line.size();
  while (left) {
    auto n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error("cannot write spool journal " + path_.string() + ": " + std::strerror(errno));
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  ::fdatasync(fd_);
}

std::uint64_t SpoolState::next_index() const {
  if (chain.empty()) return 0;
  auto n = parse_segment_name(chain.back().name);
  return n ? *n + 1 : chain.size();
}

std::uint64_t SpoolState::next_seq() const { return chain.empty() ? 0 : chain.back().last_seq + 1; }

json segment_record(const SegmentEntry& e, const Counts& counts, const Counts& lost, std::uint64_t dropped) {
  return json{{"t", "segment"}, {"entry", to_json(e)}, {"counts", counts}, {"lost", lost}, {"dropped", dropped}};
}

namespace {

void add_counts(Counts& into, const json& j) {
  if (!j.is_object()) return;
  for (auto& [k, v] : j.items())
    if (v.is_number_unsigned()) into[k] += v.get<std::uint64_t>();
}

void read_journal(const fs::path& path, SpoolState& st) {
  std::ifstream in(path);
  std::string line;
  std::size_t lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    json j = json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      spdlog::warn("spool journal {}: line {} is damaged and ignored (a crash while writing it)", path.string(), lineno);
      continue;
    }
    auto t = j.value("t", "");
    if (t == "archive" && st.archive.is_null()) {
      st.archive = j;
    } else if (t == "segment") {
      st.chain.push_back(segment_entry_from_json(j.at("entry")));
      add_counts(st.event_counts, j.value("counts", json::object()));
      add_counts(st.lost, j.value("lost", json::object()));
      st.spool_dropped += j.value("dropped", std::uint64_t{0});
    } else if (t == "identity") {
      st.identity = j.value("identity", json());
    } else if (t == "index_done") {
      st.index_done = true;
    } else if (t == "finished") {
      st.finished = true;
    } else if (t == "resume") {
      st.resumed.push_back(j.value("resume", json::object()));
    }
  }
}

// Re-reads a segment file (sealed without a journal record, or a crashed *.partial) and
// writes the lines that continue the chain's seq into a freshly sealed segment `name`.
// Returns false if nothing usable was in it.
bool reseal(const fs::path& dir, const fs::path& src, const std::string& name, SpoolState& st, Journal& journal,
            int zstd_level) {
  std::ifstream in(src, std::ios::binary);
  LineReader reader(in);
  auto tmp = dir / (name + ".salvage");
  fs::remove(tmp);
  SegmentFile out(tmp, zstd_level);
  Counts counts;
  std::uint64_t expected = st.next_seq(), events = 0, first = expected;
  std::string line;
  while (reader.next(line)) {
    json ev = json::parse(line, nullptr, false);
    if (ev.is_discarded() || !ev.contains("seq") || !ev["seq"].is_number_unsigned() ||
        ev["seq"].get<std::uint64_t>() != expected) {
      spdlog::warn("spool: {} line {} does not continue the trail (seq {} expected); salvage stops there",
                   src.filename().string(), events + 1, expected);
      break;
    }
    line += '\n';
    out.append(line);
    ++counts[ev.value("type", std::string("unknown"))];
    ++events;
    ++expected;
  }
  if (!reader.error().empty())
    spdlog::warn("spool: {}: {} (kept the {} complete events before it)", src.filename().string(), reader.error(), events);
  if (events == 0) {
    out.seal();
    fs::remove(tmp);
    return false;
  }
  auto sealed = out.seal();
  fs::rename(tmp, dir / name);
  if (src != dir / name) fs::remove(src);
  SegmentEntry e{name, sealed.size, sealed.sha256, events, first, expected - 1, "", ""};
  chain_append(st.chain, e);
  journal.append(segment_record(st.chain.back(), counts, {}, 0));
  for (auto& [k, v] : counts) st.event_counts[k] += v;
  st.salvaged_events += events;
  return true;
}

}  // namespace

SpoolState recover_spool(const fs::path& dir, Journal& journal, int zstd_level) {
  SpoolState st;
  if (fs::exists(journal.path())) read_journal(journal.path(), st);

  std::map<std::string, bool> known;  // names in the journal's chain
  for (auto& e : st.chain) known[e.name] = true;

  // Leftover files by segment number: sealed ones and at most one crashed *.partial.
  std::map<std::uint64_t, fs::path> sealed_files, partial_files;
  for (auto& f : fs::directory_iterator(dir)) {
    auto name = f.path().filename().string();
    if (name.ends_with(".salvage")) {
      fs::remove(f.path());
      continue;
    }
    bool partial = name.ends_with(partial_suffix);
    auto base = partial ? name.substr(0, name.size() - partial_suffix.size()) : name;
    auto n = parse_segment_name(base);
    if (!n) continue;
    (partial ? partial_files : sealed_files)[*n] = f.path();
  }

  for (auto& [n, path] : sealed_files) {
    auto name = path.filename().string();
    if (known.count(name)) {
      st.pending.push_back(name);
    } else if (n >= st.next_index()) {
      // Sealed and renamed, but the crash came before its journal record.
      if (reseal(dir, path, segment_name(st.next_index()), st, journal, zstd_level))
        st.pending.push_back(st.chain.back().name);
    } else {
      spdlog::warn("spool: {} is not part of this archive's chain; left alone", path.string());
    }
  }
  for (auto& [n, path] : partial_files) {
    (void)n;
    auto name = segment_name(st.next_index());
    if (reseal(dir, path, name, st, journal, zstd_level)) st.pending.push_back(name);
    else fs::remove(path);
  }
  return st;
}

}  // namespace jobtrail::archive
