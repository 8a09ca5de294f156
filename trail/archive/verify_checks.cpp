// Pure verifier checks over a manifest and a store listing.
#include <map>
#include <set>

#include "trail/archive/verify.hpp"

namespace jobtrail::archive {

std::string_view to_string(ProblemKind k) {
  switch (k) {
    case ProblemKind::manifest_missing: return "manifest_missing";
    case ProblemKind::manifest_invalid: return "manifest_invalid";
    case ProblemKind::incomplete: return "incomplete";
    case ProblemKind::segment_not_uploaded: return "segment_not_uploaded";
    case ProblemKind::segment_missing: return "segment_missing";
    case ProblemKind::size_mismatch: return "size_mismatch";
    case ProblemKind::sha_mismatch: return "sha_mismatch";
    case ProblemKind::chain_broken: return "chain_broken";
    case ProblemKind::reordered: return "reordered";
    case ProblemKind::seq_gap: return "seq_gap";
    case ProblemKind::count_mismatch: return "count_mismatch";
    case ProblemKind::decode_error: return "decode_error";
    case ProblemKind::unlisted_segment: return "unlisted_segment";
    case ProblemKind::writer_restarted: return "writer_restarted";
    case ProblemKind::lost_events: return "lost_events";
    case ProblemKind::family_missing: return "family_missing";
    case ProblemKind::not_signed: return "unsigned";
    case ProblemKind::bad_signature: return "bad_signature";
    case ProblemKind::key_mismatch: return "key_mismatch";
    case ProblemKind::tail_cut: return "tail_cut";
    case ProblemKind::checkpoint_mismatch: return "checkpoint_mismatch";
    case ProblemKind::index_mismatch: return "index_mismatch";
  }
  return "unknown";
}

std::string_view to_string(Verdict v) {
  switch (v) {
    case Verdict::ok: return "ok";
    case Verdict::lost_events: return "lost_events";
    case Verdict::family_missing: return "family_missing";
    case Verdict::incomplete: return "incomplete";
    case Verdict::tampered: return "tampered";
    case Verdict::index_mismatch: return "index_mismatch";
    case Verdict::not_signed: return "unsigned";
    case Verdict::key_mismatch: return "key_mismatch";
    case Verdict::bad_signature: return "bad_signature";
  }
  return "unknown";
}

Verdict verdict_of(ProblemKind k) {
  switch (k) {
    case ProblemKind::lost_events: return Verdict::lost_events;
    case ProblemKind::family_missing: return Verdict::family_missing;
    case ProblemKind::manifest_missing:
    case ProblemKind::incomplete:
    case ProblemKind::segment_not_uploaded:
    case ProblemKind::unlisted_segment:
    case ProblemKind::writer_restarted: return Verdict::incomplete;
    case ProblemKind::not_signed: return Verdict::not_signed;
    case ProblemKind::bad_signature: return Verdict::bad_signature;
    case ProblemKind::key_mismatch: return Verdict::key_mismatch;
    case ProblemKind::index_mismatch: return Verdict::index_mismatch;
    default: return Verdict::tampered;
  }
}

Verdict VerifyReport::verdict() const {
  Verdict v = Verdict::ok;
  for (auto& p : problems) v = std::max(v, verdict_of(p.kind));
  return v;
}

bool VerifyReport::has(ProblemKind k) const {
  for (auto& p : problems)
    if (p.kind == k) return true;
  return false;
}

std::vector<Problem> check_chain(const std::vector<SegmentEntry>& segs) {
  std::vector<Problem> out;
  std::map<std::string, std::size_t> by_hash;
  for (std::size_t i = 0; i < segs.size(); ++i) by_hash[segs[i].entry_hash] = i;
  // All links intact but in another order: a permutation, reported as such.
  bool permutation = true;
  std::size_t heads = 0;
  for (auto& s : segs) {
    if (s.prev == genesis_hash()) ++heads;
    else if (!by_hash.count(s.prev)) permutation = false;
  }
  permutation = permutation && heads == 1;

  for (std::size_t i = 0; i < segs.size(); ++i) {
    auto& s = segs[i];
    if (compute_entry_hash(s) != s.entry_hash) {
      out.push_back({ProblemKind::chain_broken, s.name,
                     "manifest entry " + std::to_string(i) + " (" + s.name + ") was altered: its entry_hash does not match its fields"});
      continue;
    }
    auto expected = i == 0 ? genesis_hash() : segs[i - 1].entry_hash;
    if (s.prev == expected) continue;
    if (permutation)
      out.push_back({ProblemKind::reordered, s.name,
                     "manifest entry " + std::to_string(i) + " (" + s.name + ") is out of order: it follows " +
                         (s.prev == genesis_hash() ? std::string("nothing (it is the first)") : segs[by_hash[s.prev]].name)});
    else
      out.push_back({ProblemKind::chain_broken, s.name,
                     "hash chain broken at manifest entry " + std::to_string(i) + " (" + s.name +
                         "): its prev does not match the entry before it (an entry was removed, inserted or altered)"});
  }
  return out;
}

std::vector<Problem> check_manifest(const Manifest& m) {
  auto out = check_chain(m.segments);
  std::uint64_t expected = 0, sum = 0;
  for (auto& s : m.segments) {
    if (s.events == 0 || s.last_seq - s.first_seq + 1 != s.events)
      out.push_back({ProblemKind::count_mismatch, s.name,
                     s.name + ": " + std::to_string(s.events) + " events do not fit seq " + std::to_string(s.first_seq) +
                         ".." + std::to_string(s.last_seq)});
    if (s.first_seq != expected)
      out.push_back({ProblemKind::seq_gap, s.name,
                     s.name + " starts at seq " + std::to_string(s.first_seq) + ", expected " + std::to_string(expected)});
    expected = s.last_seq + 1;
    sum += s.events;
  }
  if (sum != m.events)
    out.push_back({ProblemKind::count_mismatch, "",
                   "manifest says " + std::to_string(m.events) + " events, its segments hold " + std::to_string(sum)});
  std::uint64_t typed = 0;
  for (auto& [t, n] : m.event_counts) typed += n;
  if (typed != m.events)
    out.push_back({ProblemKind::count_mismatch, "",
                   "event counts per type add up to " + std::to_string(typed) + ", not " + std::to_string(m.events)});
  if (!m.complete)
    out.push_back({ProblemKind::incomplete, "",
                   "archive is marked incomplete: " + (m.incomplete_reason.empty() ? std::string("no reason given") : m.incomplete_reason)});
  if (m.resumed.is_array() && !m.resumed.empty())
    out.push_back({ProblemKind::writer_restarted, "",
                   "the writer restarted " + std::to_string(m.resumed.size()) +
                       " time(s) and resumed its spool; events while it was down are not in the trail"});
  std::uint64_t lost = 0;
  std::string detail;
  for (auto& [t, n] : m.lost)
    if (n) {
      lost += n;
      detail += (detail.empty() ? "" : ", ") + t + " " + std::to_string(n);
    }
  if (lost)
    out.push_back({ProblemKind::lost_events, "", std::to_string(lost) + " events were lost while recording (" + detail + ")"});
  // meta.features: per tracer family, whether this kernel could load it (written by the sidecar)
  const auto features = m.meta.find("features");
  if (features != m.meta.end() && features->is_object())
    for (auto& [family, f] : features->items()) {
      if (!f.is_object() || f.value("loaded", true) != false) continue;
      const auto reason = f.find("reason");
      const auto kernel = m.meta.find("kernel");
      out.push_back({ProblemKind::family_missing, "",
                     "the " + family + " family was not traced on kernel " +
                         (kernel != m.meta.end() && kernel->is_string() ? kernel->get<std::string>() : std::string("?")) +
                         ": " + (reason != f.end() && reason->is_string() ? reason->get<std::string>() : std::string("no reason given"))});
    }
  return out;
}

std::vector<Problem> check_listing(const Manifest& m, const std::vector<storage::ObjectInfo>& objects) {
  std::vector<Problem> out;
  std::map<std::string, std::uint64_t> stored;
  for (auto& o : objects)
    if (parse_segment_name(o.key)) stored[o.key] = o.size;
  std::set<std::string> declared(m.not_uploaded.begin(), m.not_uploaded.end());
  std::set<std::string> listed;
  for (auto& s : m.segments) {
    listed.insert(s.name);
    auto it = stored.find(s.name);
    if (it == stored.end()) {
      if (declared.count(s.name))
        out.push_back({ProblemKind::segment_not_uploaded, s.name,
                       s.name + " is missing; the manifest records that it was not uploaded in time"});
      else
        out.push_back({ProblemKind::segment_missing, s.name,
                       s.name + " is missing from the store although the manifest lists it as stored"});
    } else if (it->second != s.size) {
      out.push_back({ProblemKind::size_mismatch, s.name,
                     s.name + " is " + std::to_string(it->second) + " bytes, the manifest says " + std::to_string(s.size)});
    }
  }
  for (auto& [name, size] : stored)
    if (!listed.count(name))
      out.push_back({ProblemKind::unlisted_segment, name, name + " is in the store but not in the manifest"});
  return out;
}

}  // namespace jobtrail::archive
