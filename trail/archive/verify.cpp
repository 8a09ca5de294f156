// verify_archive: the I/O half of the verifier. Reads the manifest, lists the store, then
// streams every present segment once (SHA-256, zstd decode, seq and type counts).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "trail/archive/layout.hpp"
#include "trail/archive/line_reader.hpp"
#include "trail/archive/verify.hpp"

namespace jobtrail::archive {

using nlohmann::json;

namespace {

struct SegmentResult {
  std::uint64_t events = 0, first = 0, last = 0;
  Counts counts;
  std::string sha256, error;
  std::uint64_t size = 0;
};

// Reads one segment; `expected_seq` is where the trail should continue.
// `limits`: the text bound of a segment whose manifest entry claims its events.
SegmentResult scan_segment(storage::Store& store, const std::string& key, std::uint64_t expected_seq,
                           LineLimits limits) {
  SegmentResult r;
  auto in = store.open_read(key);
  LineReader reader(*in, limits);
  std::string line;
  r.first = expected_seq;
  const auto overlong = [&] {
    return "line " + std::to_string(r.events + 1) + " is longer than " + std::to_string(limits.line_bytes) +
           " bytes, more than the writer ever writes";
  };
  while (reader.next(line)) {
    if (reader.overlong_lines()) {
      r.error = overlong();
      break;
    }
    json ev = json::parse(line, nullptr, false);
    if (ev.is_discarded() || !ev.is_object()) {
      r.error = "line " + std::to_string(r.events + 1) + " is not a JSON object";
      break;
    }
    auto seq = ev.find("seq");
    if (seq == ev.end() || !seq->is_number_unsigned() || seq->get<std::uint64_t>() != expected_seq) {
      r.error = "line " + std::to_string(r.events + 1) + " has seq " + (seq == ev.end() ? "none" : seq->dump()) +
                ", expected " + std::to_string(expected_seq);
      break;
    }
    auto type = ev.find("type");
    ++r.counts[type != ev.end() && type->is_string() ? type->get<std::string>() : "unknown"];
    ++r.events;
    r.last = expected_seq++;
  }
  if (r.error.empty() && reader.overlong_lines()) r.error = overlong();
  if (r.error.empty()) r.error = reader.error();
  // Hash every byte even after a decode error, so the digest check still speaks.
  reader.drain();
  r.sha256 = reader.sha256_hex();
  r.size = reader.compressed_bytes();
  return r;
}

}  // namespace

VerifyReport verify_archive(storage::Store& store, const std::string& prefix, VerifyOptions options) {
  VerifyReport rep;
  auto add = [&](ProblemKind k, std::string seg, std::string msg) { rep.problems.push_back({k, std::move(seg), std::move(msg)}); };

  std::vector<storage::ObjectInfo> objects;
  for (auto& o : store.list(prefix)) objects.push_back({o.key.substr(prefix.size()), o.size, o.last_modified});

  try {
    if (auto body = read_manifest_body(store, prefix)) {
      rep.manifest_bytes = *body;
      json j = json::parse(*body, nullptr, false);
      if (j.is_discarded()) throw std::runtime_error("the manifest is not valid JSON");
      rep.manifest = manifest_from_json(j);
    } else {
      add(ProblemKind::manifest_missing, "", "no manifest (_manifest.json or manifest.json) in " + store.url() +
                                                 (prefix.empty() ? "" : "/" + prefix) +
                                                 ": the writer never finished; the segments present are checked on their own");
    }
  } catch (const storage::StoreError&) {
    throw;
  } catch (const std::exception& e) {
    add(ProblemKind::manifest_invalid, "", e.what());
  }

  // What to read, in order, and what each should hold.
  std::vector<SegmentEntry> plan;
  std::set<std::string> absent;
  if (rep.manifest) {
    for (auto& p : check_manifest(*rep.manifest)) rep.problems.push_back(p);
    for (auto& p : check_listing(*rep.manifest, objects)) {
      if (p.kind == ProblemKind::segment_missing || p.kind == ProblemKind::segment_not_uploaded) absent.insert(p.segment);
      rep.problems.push_back(p);
    }
    plan = rep.manifest->segments;
  } else {
    for (auto& o : objects)
      if (auto n = parse_segment_name(o.key)) plan.push_back({o.key, o.size, "", 0, 0, 0, "", ""});
    std::sort(plan.begin(), plan.end(), [](auto& a, auto& b) { return *parse_segment_name(a.name) < *parse_segment_name(b.name); });
  }
  if (!options.contents) return rep;

  bool segment_damage = false;
  Counts tally;
  std::uint64_t expected = 0;
  for (auto& s : plan) {
    if (absent.count(s.name)) {
      expected = s.last_seq + 1;  // the gap is already reported as the missing segment
      continue;
    }
    if (rep.manifest) expected = s.first_seq;  // seq across entries is check_manifest's job
    SegmentResult r;
    try {
      LineLimits limits;
      if (rep.manifest) limits.text_bytes = text_bound_for_events(s.events);
      r = scan_segment(store, prefix + s.name, expected, limits);
    } catch (const std::exception& e) {
      add(ProblemKind::segment_missing, s.name, s.name + ": cannot be read: " + e.what());
      segment_damage = true;
      continue;
    }
    ++rep.segments_checked;
    rep.events_checked += r.events;
    for (auto& [t, n] : r.counts) tally[t] += n;
    if (rep.manifest && r.sha256 != s.sha256) {
      // A changed byte usually also breaks decoding or seq; the digest is the root cause.
      add(ProblemKind::sha_mismatch, s.name,
          s.name + ": SHA-256 " + r.sha256 + " does not match the manifest's " + s.sha256 +
              (r.error.empty() ? "" : " (and " + r.error + ")"));
      segment_damage = true;
    } else if (!r.error.empty()) {
      add(r.error.find("seq") != std::string::npos ? ProblemKind::seq_gap : ProblemKind::decode_error, s.name,
          s.name + ": " + r.error);
      segment_damage = true;
    } else if (rep.manifest && (r.events != s.events || r.last != s.last_seq)) {
      add(ProblemKind::count_mismatch, s.name,
          s.name + " holds " + std::to_string(r.events) + " events, the manifest says " + std::to_string(s.events));
      segment_damage = true;
    }
    expected = r.events ? r.last + 1 : expected;
  }
  if (rep.manifest && !segment_damage && absent.empty() && tally != rep.manifest->event_counts)
    add(ProblemKind::count_mismatch, "", "events per type in the segments differ from the manifest's event_counts");
  return rep;
}

}  // namespace jobtrail::archive
