#include "trail/archive/writer.hpp"

#include <openssl/rand.h>

#include <spdlog/spdlog.h>

#include "trail/archive/sha256.hpp"
#include "trail/archive/time_text.hpp"
#include "trail/archive/writer_impl.hpp"
#include "trail/events/types.hpp"
#include "trail/text/exact_bytes.hpp"

namespace jobtrail::archive {

namespace fs = std::filesystem;
using nlohmann::json;
using clock = std::chrono::steady_clock;

namespace {
std::string random_id() {
  unsigned char b[16];
  RAND_bytes(b, sizeof b);
  static constexpr char digits[] = "0123456789abcdef";
  std::string s;
  for (unsigned char c : b) {
    s += digits[c >> 4];
    s += digits[c & 15];
  }
  return s;
}

// json::dump without the temporary string: appends to `out`.
void serialize(const json& j, std::string& out, json::error_handler_t on_invalid_utf8) {
  nlohmann::detail::serializer<json> s(nlohmann::detail::output_adapter<char, std::string>(out), ' ',
                                       on_invalid_utf8);
  s.dump(j, false, false, 0);
}

// The event as one JSON line. Paths, argv and names come from the kernel as the job's raw bytes:
// a string that is not UTF-8 is rewritten into the archive's byte-preserving form
// (trail/text/exact_bytes.hpp) here, the one point every event passes, whichever decoder, join or
// fold produced it. The strict first attempt costs nothing for the usual all-UTF-8 event; only a
// hostile one pays for the rewrite.
void serialize_event(json& event, std::string& out) {
  const std::size_t start = out.size();
  try {
    serialize(event, out, json::error_handler_t::strict);
    return;
  } catch (const json::type_error&) {
    out.resize(start);
  }
  text::preserve_exact_bytes(event);
  serialize(event, out, json::error_handler_t::replace);  // keys deeper than the rewrite goes
}

const std::string& type_of(const json& event) {
  static const std::string unknown = "unknown";
  auto it = event.find("type");
  return it != event.end() && it->is_string() ? it->get_ref<const std::string&>() : unknown;
}
}  // namespace

Writer::Writer(WriterOptions opts, std::shared_ptr<storage::Store> store, std::string archive_prefix, json meta)
    : impl_(std::make_unique<Impl>()) {
  auto& m = *impl_;
  m.opts = std::move(opts);
  m.store = std::move(store);
  m.prefix = std::move(archive_prefix);
  m.meta = meta.is_object() ? std::move(meta) : json::object();
  m.record_signing_in_meta();
  // One folder per (store, prefix): spools of different archives never mix.
  m.dir = m.opts.spool_dir / ("archive-" + sha256_hex(m.store->url() + "\n" + m.prefix).substr(0, 16));
  fs::create_directories(m.dir);
  m.journal = std::make_unique<Journal>(m.dir / std::string(journal_name));
  m.uploader = std::make_unique<Uploader>(
      m.store, m.opts.retry_base, m.opts.retry_max, [this](const UploadItem& item) { impl_->on_uploaded(item); },
      m.opts.upload_policy, [this](const FailedUpload& f) {
        // In the trail too, not only in the manifest: a reader of the events sees the gap's cause.
        if (auto ev = impl_->given_up_event(f); !ev.is_null()) append(ev);
      });
  m.resume(recover_spool(m.dir, *m.journal, m.opts.zstd_level));
}

Writer::~Writer() {
  if (impl_->uploader) impl_->uploader->stop();
  std::lock_guard lock(impl_->mu);
  impl_->seg.reset();  // flushes; the *.partial stays for a later Writer to salvage
}

void Writer::Impl::resume(SpoolState st) {
  std::lock_guard lock(mu);
  if (st.archive.is_null()) {
    archive_id = meta.contains("pod") && meta["pod"].is_object() && meta["pod"].value("uid", "") != ""
                     ? meta["pod"]["uid"].get<std::string>()
                     : meta.value("pod_uid", random_id());
    started_at = opts.wall_clock ? opts.wall_clock() : now_rfc3339();
    // meta too: a later sidecar that finishes an orphaned spool writes the owner's meta, not its own.
    journal->append(json{{"t", "archive"}, {"archive_id", archive_id}, {"archive_prefix", prefix},
                         {"store", store->url()}, {"started_at", started_at}, {"meta", meta}});
  } else {
    archive_id = st.archive.value("archive_id", "");
    started_at = st.archive.value("started_at", "");
  }
  next_index = st.next_index();  // before the chain moves out of st
  chain = std::move(st.chain);
  counts = std::move(st.event_counts);
  lost = std::move(st.lost);
  dropped_total = st.spool_dropped;
  resumed = std::move(st.resumed);
  next_seq = chain.empty() ? 0 : chain.back().last_seq + 1;
  for (auto& e : chain) {  // under this writer's key (or none): the manifest and its entries agree
    e.sig.clear();
    sign_entry(e);
  }
  counters.events = next_seq;
  counters.segments_resumed = st.pending.size();
  if (!st.pending.empty() || st.salvaged_events > 0) {
    json record{{"at", now_rfc3339()}, {"pending_segments", st.pending.size()},
                {"salvaged_events", st.salvaged_events}, {"next_seq", next_seq}};
    resumed.push_back(record);
    journal->append(json{{"t", "resume"}, {"resume", record}});
    spdlog::info("spool {}: resuming archive {} from an earlier writer: {} segment(s) still to upload, "
                 "{} event(s) salvaged from its open segment; the trail continues at seq {}",
                 dir.string(), archive_id, st.pending.size(), st.salvaged_events, next_seq);
  }
  if (st.finished)
    spdlog::warn("spool {}: archive {} was already finished once; its manifest stays as written", dir.string(),
                 archive_id);
  for (auto& name : st.pending) {
    auto it = std::find_if(chain.begin(), chain.end(), [&](auto& e) { return e.name == name; });
    if (it != chain.end()) {
      checkpoint_after(static_cast<std::size_t>(it - chain.begin()));
      enqueue_segment(name, it->size, it->sha256);
    }
  }
  if (!st.identity.is_null()) {
    identity = st.identity;
    if (!st.index_done) enqueue_index();
  }
}

void Writer::Impl::enqueue_segment(const std::string& name, std::uint64_t size, const std::string& sha) {
  spool_bytes += size;
  UploadItem item;
  item.label = name;
  item.key = prefix + name;
  item.file = dir / name;
  item.content_type = std::string(segment_content_type);
  item.sha256 = sha;
  item.size = size;
  uploader->enqueue(std::move(item));
}

void Writer::Impl::on_uploaded(const UploadItem& item) {
  if (item.kind == UploadItem::Kind::index) {
    journal->append(json{{"t", "index_done"}});
    spdlog::info("index object {} written", item.key);
    return;
  }
  std::error_code ec;
  fs::remove(item.file, ec);
  spool_bytes -= std::min<std::uint64_t>(spool_bytes, item.size);
  ++uploaded_segments;
  write_checkpoint(item.label);
  spdlog::debug("segment {} uploaded to {} ({} bytes)", item.label, store->url(), item.size);
}

json Writer::Impl::given_up_event(const FailedUpload& f) const {
  std::lock_guard lock(mu);
  if (finishing || finished) return nullptr;
  std::uint64_t events = 0;
  if (f.item.kind == UploadItem::Kind::segment)
    for (auto& e : chain)
      if (e.name == f.item.label) events = e.events;
  return json{{"type", events::type_name::lost}, {"lost_type", events::lost_type::upload_given_up},
              {"count", events}, {"time", now_rfc3339()}, {"object", f.item.key}, {"error", f.error},
              {"attempts", f.attempts}};
}

void Writer::Impl::open_segment(clock::time_point now) {
  seg = std::make_unique<SegmentFile>(dir / (segment_name(next_index) + std::string(partial_suffix)), opts.zstd_level);
  seg_events = 0;
  seg_first = next_seq;
  seg_opened = last_flush = now;
}

void Writer::Impl::seal() {
  if (!seg) return;
  if (seg_events == 0) {  // nothing worth a segment; keep lost deltas for the next one
    auto path = seg->path();
    seg.reset();
    fs::remove(path);
    return;
  }
  auto sealed = seg->seal();
  auto partial = seg->path();
  seg.reset();
  auto name = segment_name(next_index);
  fs::rename(partial, dir / name);
  chain_append(chain, SegmentEntry{name, sealed.size, sealed.sha256, seg_events, seg_first, next_seq - 1, "", ""});
  sign_entry(chain.back());
  checkpoint_after(chain.size() - 1);
  journal->append(segment_record(chain.back(), seg_counts, seg_lost, seg_dropped));
  seg_counts.clear();
  seg_lost.clear();
  seg_dropped = 0;
  ++next_index;
  ++counters.segments_spooled;
  counters.bytes_spooled += sealed.size;
  enqueue_segment(name, sealed.size, sealed.sha256);
}

// A spool write failed (disk full, I/O error): the open segment's events cannot be trusted,
// so they are counted as lost (never silently) and the trail goes on in a new segment.
void Writer::Impl::drop_broken_segment(const std::exception& e) {
  if (!broken_logged) spdlog::error("spool write failed ({}); the open segment's events are counted as lost", e.what());
  broken_logged = true;
  for (auto& [type, n] : seg_counts) {
    lost[type] += n;
    seg_lost[type] += n;
    counts[type] -= std::min(counts[type], n);
  }
  seg_counts.clear();
  if (seg) {
    auto path = seg->path();
    seg.reset();
    std::error_code ec;
    fs::remove(path, ec);
  }
  // seq numbers already handed out stay used: the gap is explained by "lost".
  seg_events = 0;
}

std::uint64_t Writer::append(json& event) {
  auto& m = *impl_;
  std::lock_guard lock(m.mu);
  const std::string& type = type_of(event);
  std::uint64_t in_spool = m.spool_bytes + (m.seg ? m.seg->bytes() : 0);
  if (m.finished || m.finishing || in_spool >= m.opts.spool_max_bytes) {
    if (!m.spool_full && !m.finished && !m.finishing) {
      m.spool_full = true;
      ++m.counters.spool_full_hits;
      spdlog::error("spool {} is full ({} bytes, bound {}): new events are dropped and counted as lost "
                    "until uploads make room",
                    m.dir.string(), in_spool, m.opts.spool_max_bytes);
    }
    ++m.lost[type];
    ++m.seg_lost[type];
    ++m.dropped_total;
    ++m.seg_dropped;
    ++m.counters.events_dropped;
    return dropped;
  }
  if (m.spool_full) {
    m.spool_full = false;
    spdlog::info("spool has room again; {} events were dropped while it was full", m.dropped_total);
  }
  try {
    auto now = clock::now();
    if (!m.seg) m.open_segment(now);
    std::uint64_t seq = m.next_seq;
    event["seq"] = seq;
    m.line.clear();
    serialize_event(event, m.line);
    m.line += '\n';
    m.seg->append(m.line);
    ++m.seg_counts[type];
    ++m.counts[type];
    ++m.seg_events;
    ++m.next_seq;
    ++m.counters.events;
    if (m.seg->bytes() >= m.opts.segment_max_bytes) m.seal();
    else if ((++m.appends & 1023) == 0 && now - m.seg_opened >= m.opts.segment_max_age) m.seal();
    return seq;
  } catch (const std::exception& e) {
    m.drop_broken_segment(e);
    ++m.lost[type];
    ++m.seg_lost[type];
    return dropped;
  }
}

void Writer::add_lost(const std::string& event_type, std::uint64_t n) {
  if (n == 0) return;
  std::lock_guard lock(impl_->mu);
  impl_->lost[event_type] += n;
  impl_->seg_lost[event_type] += n;
}

void Writer::tick(clock::time_point now) {
  auto& m = *impl_;
  std::lock_guard lock(m.mu);
  if (!m.seg || m.finished) return;
  try {
    if (m.seg_events > 0 && now - m.seg_opened >= m.opts.segment_max_age) {
      m.seal();
    } else if (now - m.last_flush >= std::chrono::seconds(1)) {
      m.seg->flush();  // a crash then loses at most about a second of events
      m.last_flush = now;
    }
  } catch (const std::exception& e) {
    m.drop_broken_segment(e);
  }
}

WriterStats Writer::stats() const {
  auto& m = *impl_;
  WriterStats s;
  {
    std::lock_guard lock(m.mu);
    s = m.counters;
  }
  auto u = m.uploader->stats();
  s.segments_uploaded = m.uploaded_segments;
  s.upload_retries = u.retries;
  s.bytes_uploaded = u.bytes;
  s.last_error = u.last_error;
  s.objects_given_up = u.given_up;
  s.spool_bytes = m.spool_bytes;
  return s;
}

const std::string& Writer::archive_prefix() const { return impl_->prefix; }

}  // namespace jobtrail::archive
