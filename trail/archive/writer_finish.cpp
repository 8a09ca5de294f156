// Writer: job identity + index object, and finish(): seal, upload what is left within the
// deadline, then manifest.json (written last) saying exactly what did not make it.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

#include "trail/archive/time_text.hpp"
#include "trail/archive/writer_impl.hpp"
#include "trail/version.hpp"

namespace jobtrail::archive {

namespace fs = std::filesystem;
using nlohmann::json;
using clock = std::chrono::steady_clock;

std::string Writer::Impl::index_name() const {
  if (meta.contains("pod") && meta["pod"].is_object()) {
    auto uid = meta["pod"].value("uid", "");
    if (!uid.empty()) return uid;
  }
  auto uid = meta.value("pod_uid", "");
  return uid.empty() ? archive_id : uid;
}

void Writer::Impl::enqueue_index() {
  auto key = index_key(identity, index_name());
  if (!key) {
    spdlog::warn("job identity lacks repository, run_id or job; no index object is written");
    return;
  }
  UploadItem item;
  item.kind = UploadItem::Kind::index;
  item.label = "index";
  item.key = *key;  // at the store root, next to (not under) the archive prefix
  item.body = json{{"format", "jobtrail-index"},   {"format_version", format_version},
                   {"layout_version", layout_version},
                   {"archive_prefix", prefix},     {"archive_id", archive_id},
                   {"manifest", prefix + std::string(manifest_name)},
                   {"job_identity", identity},     {"meta", meta},
                   {"started_at", started_at}}
                  .dump(2, ' ', false, json::error_handler_t::replace);
  item.content_type = "application/json";
  uploader->enqueue(std::move(item));
}

void Writer::set_job_identity(const json& identity) {
  auto& m = *impl_;
  std::lock_guard lock(m.mu);
  if (m.finished) {
    spdlog::warn("job identity arrived after the archive was finished; not recorded");
    return;
  }
  if (!m.identity.is_null()) {
    if (m.identity != identity) spdlog::warn("a second, different job identity was ignored: the first one stands");
    return;
  }
  m.identity = identity;
  m.journal->append(json{{"t", "identity"}, {"identity", identity}});
  m.enqueue_index();  // now, not at finish: the job can be found even if the node dies mid-job
}

Manifest Writer::Impl::build_manifest(bool complete, const std::string& reason,
                                      const std::vector<std::string>& missing,
                                      const std::vector<FailedUpload>& failed) const {
  Manifest man;
  man.archive_id = archive_id;
  man.archive_prefix = prefix;
  man.writer_version = std::string(jobtrail::version());
  man.meta = meta;
  man.job_identity = identity;
  man.started_at = started_at;
  man.ended_at = opts.wall_clock ? opts.wall_clock() : now_rfc3339();
  man.complete = complete;
  man.incomplete_reason = complete ? "" : reason;
  man.events = next_seq;
  man.event_counts = counts;
  man.lost = lost;
  man.spool_dropped = dropped_total;
  man.segments = chain;
  man.not_uploaded = missing;
  for (auto& f : failed) man.failed_objects.push_back({f.item.key, f.error, f.attempts});
  man.resumed = resumed;
  return man;
}

Writer::FinishResult Writer::finish(bool complete, std::string reason, clock::time_point deadline) {
  auto& m = *impl_;
  {
    std::lock_guard lock(m.mu);
    if (m.finished) return *m.finished;
    m.finishing = true;
    try {
      m.seal();
    } catch (const std::exception& e) {
      m.drop_broken_segment(e);
    }
  }
  // The store's own retries (S3: attempts and backoff inside one put) end by the deadline too,
  // so that stop() below does not wait for an upload retrying past it.
  m.store->set_deadline(deadline);
  // Leave time for the manifest itself: a fifth of what is left, between 0.2 s and 2 s.
  auto now = clock::now();
  auto reserve = std::clamp<clock::duration>((deadline - now) / 5, std::chrono::milliseconds(200),
                                             std::chrono::seconds(2));
  m.uploader->hurry();
  m.uploader->wait_idle(deadline - reserve);
  m.uploader->hold_retries();

  // Segments still queued missed the deadline; given-up ones were refused before it.
  const auto failed = m.uploader->failed();
  std::vector<std::string> missing_segments, late, refused;
  bool index_pending = false;
  for (auto& item : m.uploader->pending()) {
    if (item.kind != UploadItem::Kind::segment) {
      index_pending = true;
      continue;
    }
    missing_segments.push_back(item.label);
    bool given_up = std::any_of(failed.begin(), failed.end(), [&](auto& f) { return f.item.key == item.key; });
    (given_up ? refused : late).push_back(item.label);
  }

  FinishResult result{complete, reason, missing_segments, refused};
  auto add_reason = [&](const std::vector<std::string>& names, const std::string& what) {
    if (names.empty()) return;
    result.complete = false;
    std::string list;
    for (auto& n : names) list += (list.empty() ? "" : ", ") + n;
    std::string why = std::to_string(names.size()) + " of " + std::to_string(m.chain.size()) + " segments " + what +
                      " (" + list + ")";
    result.reason = result.reason.empty() ? why : result.reason + "; " + why;
  };
  add_reason(refused, "were refused by the store and given up (failed_objects)");
  add_reason(late, "were not in the store at the flush deadline");
  if (!result.complete && result.reason.empty()) result.reason = "marked incomplete by the sidecar";

  std::string body;
  Manifest man;
  {
    std::lock_guard lock(m.mu);
    man = m.build_manifest(result.complete, result.reason, missing_segments, failed);
    body = to_json(man).dump(1, ' ', false, json::error_handler_t::replace);
  }
  // The manifest is written by this thread, retried until the deadline.
  bool manifest_ok = false;
  std::string manifest_error;
  for (int attempt = 0;; ++attempt) {
    try {
      m.store->put_new(m.prefix + std::string(manifest_name), body, "application/json");
      manifest_ok = true;
      break;
    } catch (const storage::StoreError& e) {
      manifest_error = e.code() + ": " + e.what();
      if (e.code() == "AlreadyExists") break;
    } catch (const std::exception& e) {
      manifest_error = e.what();
    }
    auto pause = std::chrono::milliseconds(std::min(100 << std::min(attempt, 4), 1000));
    if (clock::now() + pause >= deadline) break;
    std::this_thread::sleep_for(pause);
  }
  m.after_manifest(body, manifest_ok, manifest_ok || manifest_error.starts_with("AlreadyExists"), deadline);
  if (!manifest_ok) {
    auto local = m.dir / std::string(manifest_name);
    std::error_code ec;
    fs::remove(local, ec);
    if (FILE* f = std::fopen(local.c_str(), "w")) {
      std::fwrite(body.data(), 1, body.size(), f);
      std::fclose(f);
    }
    spdlog::error("manifest.json could not be written to {} ({}); a copy is in {}", m.store->url(), manifest_error,
                  local.string());
    result.complete = false;
    result.not_uploaded.push_back(std::string(manifest_name));
  }
  if (m.job_row) {  // a missing row is logged; it never keeps the spool (the archive is what matters)
    man.complete = result.complete;
    m.write_job_row(man, deadline);
  }
  if (index_pending) m.uploader->wait_idle(deadline);
  // An index the store refused stays refused (failed_objects has it); one still queued may go later.
  const auto failed_at_end = m.uploader->failed();
  for (auto& item : m.uploader->pending())
    if (item.kind == UploadItem::Kind::index &&
        std::none_of(failed_at_end.begin(), failed_at_end.end(), [&](auto& f) { return f.item.key == item.key; }))
      result.not_uploaded.push_back("index:" + item.key);
  m.uploader->stop();
  m.store->set_deadline(clock::time_point::max());  // the caller may go on using the store

  std::lock_guard lock(m.mu);
  m.journal->append(json{{"t", "finished"}, {"complete", result.complete}});
  if (result.not_uploaded.empty()) {
    std::error_code ec;
    m.journal.reset();
    fs::remove_all(m.dir, ec);  // everything is in the store: the spool has done its job
    spdlog::info("archive {}{}: {} events in {} segments, manifest written{}", m.store->url(),
                 m.prefix.empty() ? "" : "/" + m.prefix, m.next_seq, m.chain.size(),
                 result.complete ? ", complete" : " (incomplete: " + result.reason + ")");
  } else {
    std::string list;
    for (auto& n : result.not_uploaded) list += (list.empty() ? "" : ", ") + n;
    spdlog::error("flush deadline: not in the store: {}; kept in spool {}", list, m.dir.string());
  }
  m.finished = result;
  return result;
}

}  // namespace jobtrail::archive
