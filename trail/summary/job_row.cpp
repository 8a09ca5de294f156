#include "trail/summary/job_row.hpp"

#include <algorithm>

#include "trail/summary/fields.hpp"

namespace jobtrail::summary {

namespace {

// At most n bytes of s, cut before a UTF-8 continuation byte so the result stays well formed.
std::string cut(std::string s, std::size_t n) {
  if (s.size() <= n) return s;
  std::size_t end = n;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  s.resize(end);
  return s + "\u2026";
}

std::string text_of(const json& v, std::size_t n) { return cut(id_text(v), n); }

// An identity value under our name or the GitHub variable's; null when unknown.
json identity_value(const json& id, const char* ours, const char* github, std::size_t n) {
  for (const char* k : {ours, github}) {
    auto it = id.find(k);
    if (it == id.end()) continue;
    auto v = text_of(*it, n);
    if (!v.empty()) return v;
  }
  return nullptr;
}

std::uint64_t u64(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_number_unsigned() ? it->get<std::uint64_t>() : 0;
}

json count_list(const archive::Counts& counts, std::size_t cap, std::size_t n) {
  json out = json::array();
  for (auto& [type, count] : counts) {
    if (out.size() >= cap) break;
    out.push_back({{"type", cut(type, n)}, {"count", count}});
  }
  return out;
}

// The verdict the sidecar can tell at finish: verify's names, without "tampered" (only a later
// reader can see that).
std::string verdict_of(const archive::Manifest& m, std::uint64_t lost_total) {
  if (!m.complete) return "incomplete";
  if (auto f = m.meta.find("features"); f != m.meta.end() && f->is_object())
    for (auto& [family, v] : f->items())
      if (v.is_object() && v.value("loaded", true) == false) return "family_missing";
  return lost_total > 0 ? "lost_events" : "ok";
}

}  // namespace

Limits row_fold_limits(const RowLimits& r) {
  Limits l;
  l.top_binaries = r.binaries;
  l.max_table = 512;
  l.max_list = 16;
  l.event_times = false;  // the row takes start and end from the manifest
  l.files = false;        // and holds no file paths
  return l;
}

json job_row(const json& summary, const archive::Manifest& m, const RowLimits& lim) {
  const std::size_t n = lim.text_bytes;
  const json& id = m.job_identity.is_object() ? m.job_identity : object_field(summary, "identity");
  const json& pod = object_field(m.meta, "pod");
  json row;
  row["row_version"] = job_row_version;
  row["layout_version"] = m.layout_version;
  row["archive_id"] = cut(m.archive_id, n);
  row["archive_prefix"] = cut(m.archive_prefix, 4 * n);
  row["repository"] = identity_value(id, "repository", "GITHUB_REPOSITORY", n);
  row["workflow"] = identity_value(id, "workflow", "GITHUB_WORKFLOW", n);
  row["run_id"] = identity_value(id, "run_id", "GITHUB_RUN_ID", n);
  row["run_attempt"] = identity_value(id, "run_attempt", "GITHUB_RUN_ATTEMPT", n);
  row["job"] = identity_value(id, "job", "GITHUB_JOB", n);
  row["ref"] = identity_value(id, "ref", "GITHUB_REF", n);
  row["sha"] = identity_value(id, "sha", "GITHUB_SHA", n);
  row["actor"] = identity_value(id, "actor", "GITHUB_ACTOR", n);
  row["runner"] = identity_value(id, "runner", "RUNNER_NAME", n);
  row["namespace"] = cut(str_field(pod, "namespace"), n);
  row["pod"] = cut(str_field(pod, "name"), n);
  row["node"] = cut(str_field(pod, "node"), n);
  row["started_at"] = cut(m.started_at, 40);
  row["ended_at"] = cut(m.ended_at, 40);
  auto a = parse_rfc3339_ns(m.started_at), b = parse_rfc3339_ns(m.ended_at);
  row["duration_s"] = a && b ? (static_cast<double>(*b) - static_cast<double>(*a)) / 1e9 : 0.0;

  std::uint64_t lost_total = 0;
  for (auto& [t, c] : m.lost) lost_total += c;
  row["complete"] = m.complete;
  row["incomplete_reason"] = cut(m.incomplete_reason, n);
  row["verdict"] = verdict_of(m, lost_total);
  row["events"] = m.events;
  row["event_counts"] = count_list(m.event_counts, lim.counts, n);
  row["lost_total"] = lost_total;
  row["lost"] = count_list(m.lost, lim.counts, n);

  const json& procs = object_field(summary, "processes");
  row["execs"] = u64(procs, "execs");
  row["failed_execs"] = u64(procs, "failed");

  // Binaries: Builder keeps the top ones by execs already.
  json bins = json::array();
  if (auto it = summary.find("top_binaries"); it != summary.end() && it->is_array())
    for (auto& bin : *it) {
      if (bins.size() >= lim.binaries) break;
      bins.push_back({{"binary", text_of(bin.value("binary", json()), n)}, {"execs", u64(bin, "execs")}});
    }
  const std::uint64_t distinct = u64(procs, "distinct_binaries");
  row["binaries_total"] = distinct;
  row["binaries"] = bins;

  // Destinations: the most bytes first, then the most connections.
  struct Ranked {
    std::uint64_t bytes, connections;
    std::string address;
    const json* d;
  };
  std::vector<Ranked> dests;  // sort keys read once, not in every comparison
  if (auto it = summary.find("network"); it != summary.end() && it->is_array())
    for (auto& d : *it)
      if (d.is_object())
        dests.push_back({u64(d, "bytes_sent") + u64(d, "bytes_received"), u64(d, "connections"), id_text(d.value("address", json())), &d});
  std::sort(dests.begin(), dests.end(), [](const Ranked& x, const Ranked& y) {
    if (x.bytes != y.bytes) return x.bytes > y.bytes;
    if (x.connections != y.connections) return x.connections > y.connections;
    return x.address < y.address;
  });
  json dest_rows = json::array();
  for (auto& ranked : dests) {
    const json* d = ranked.d;
    if (dest_rows.size() >= lim.destinations) break;
    json names = json::array();
    if (auto nm = d->find("names"); nm != d->end() && nm->is_array())
      for (auto& x : *nm)
        if (names.size() < lim.names) names.push_back(text_of(x, n));
    auto port = d->find("port");
    dest_rows.push_back({{"address", text_of(d->value("address", json()), n)},
                         {"port", port != d->end() && port->is_number_integer() ? port->get<std::int64_t>() : 0},
                         {"protocol", text_of(d->value("protocol", json()), 16)},
                         {"names", names},
                         {"connections", u64(*d, "connections")},
                         {"bytes_sent", u64(*d, "bytes_sent")},
                         {"bytes_received", u64(*d, "bytes_received")}});
  }
  row["destinations_total"] = dests.size();
  row["destinations"] = dest_rows;

  // Findings per (rule, severity), the most frequent first.
  std::vector<std::pair<std::uint64_t, const json*>> groups;
  if (auto it = summary.find("finding_counts"); it != summary.end() && it->is_array())
    for (auto& g : *it)
      if (g.is_object()) groups.emplace_back(u64(g, "count"), &g);
  std::stable_sort(groups.begin(), groups.end(), [](auto& x, auto& y) { return x.first > y.first; });
  json finding_rows = json::array();
  for (auto& [count, g] : groups) {
    if (finding_rows.size() >= lim.findings) break;
    finding_rows.push_back({{"rule", text_of(g->value("id", json()), n)},
                            {"severity", text_of(g->value("severity", json()), 32)},
                            {"count", count}});
  }
  row["findings_total"] = u64(summary, "findings_total");
  row["findings"] = finding_rows;
  row["finding_groups_total"] = groups.size();

  json truncated = json::array();
  if (auto t = summary.find("truncated"); t != summary.end() && t->is_object())
    for (auto& [table, count] : t->items())
      if (truncated.size() < 16) truncated.push_back(cut(table, 32));
  row["summary_truncated"] = truncated;  // tables of the fold that hit their bound: totals are lower bounds

  // The hard bound: drop the last entry of the longest list until the line fits (strings are
  // already cut, so the lists are what can be long). Sizes are counted once per entry, not by
  // serialising the row again for every entry dropped.
  auto set_omitted = [&] {
    row["destinations_omitted"] = dests.size() - row["destinations"].size();
    row["binaries_omitted"] = distinct > row["binaries"].size() ? distinct - row["binaries"].size() : 0;
    row["findings_omitted"] = groups.size() - row["findings"].size();
  };
  set_omitted();
  std::size_t total = job_row_line(row).size();
  if (total > lim.max_row_bytes) {
    const char* lists[] = {"destinations", "binaries", "findings"};
    std::vector<std::size_t> sizes[3];
    std::size_t list_bytes[3] = {0, 0, 0};
    for (int k = 0; k < 3; ++k)
      for (auto& e : row[lists[k]]) {
        sizes[k].push_back(e.dump(-1, ' ', false, json::error_handler_t::replace).size() + 1);  // and its comma
        list_bytes[k] += sizes[k].back();
      }
    // Omitted counts may gain a digit each as entries go: keep room for it.
    const std::size_t room = lim.max_row_bytes > 64 ? lim.max_row_bytes - 64 : 0;
    while (total > room) {
      int longest = -1;
      for (int k = 0; k < 3; ++k)
        if (!sizes[k].empty() && (longest < 0 || list_bytes[k] > list_bytes[longest])) longest = k;
      if (longest < 0) break;
      total -= sizes[longest].back();
      list_bytes[longest] -= sizes[longest].back();
      sizes[longest].pop_back();
    }
    for (int k = 0; k < 3; ++k) {
      auto& list = row[lists[k]];
      while (list.size() > sizes[k].size()) list.erase(list.size() - 1);
    }
    set_omitted();
  }
  return row;
}

std::string job_row_line(const json& row) { return row.dump(-1, ' ', false, json::error_handler_t::replace) + "\n"; }

json JobRowFold::row(const archive::Manifest& m) {
  builder_.add_manifest(m);
  return job_row(builder_.result(), m, limits_);
}

}  // namespace jobtrail::summary
