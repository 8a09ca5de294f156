// The summary fold: one pass, one small update per event.
#include "trail/summary/summary.hpp"

#include <algorithm>
#include <set>
#include <unordered_map>

#include "trail/events/types.hpp"
#include "trail/summary/fields.hpp"

namespace jobtrail::summary {

namespace {

struct Destination {
  Endpoint ep;
  std::uint64_t connections = 0, sent = 0, received = 0;
  std::set<std::string> binaries;
};

struct FileWrites {
  std::uint64_t writes = 0;
  std::set<std::string> binaries;
};

// Writes that are not files a reader cares about.
bool pseudo_path(const std::string& p) {
  return p.empty() || p == "/dev/null" || p == "/dev/tty" || p.rfind("/dev/pts/", 0) == 0 || p == "/dev/stdout" ||
         p == "/dev/stderr" || p.rfind("pipe:", 0) == 0 || p.rfind("socket:", 0) == 0 || p.rfind("anon_inode:", 0) == 0;
}

bool under(const std::string& path, const std::string& dir) {
  if (dir.empty()) return false;
  std::string d = dir.back() == '/' ? dir : dir + "/";
  return path == dir || path.rfind(d, 0) == 0;
}

void add_capped(std::set<std::string>& s, const std::string& v, std::size_t cap = 8) {
  if (!v.empty() && s.size() < cap) s.insert(v);
}

std::string identity_value(const json& id, const char* ours, const char* github) {
  auto a = str_field(id, ours);
  return a.empty() ? str_field(id, github) : a;
}

}  // namespace

struct Builder::State {
  Limits limits;
  json identity;
  json pod = json::object();
  json archive = json::object();
  bool have_manifest = false;
  std::string manifest_start, manifest_end;
  std::string first_time, last_time;
  std::int64_t first_ns = 0, last_ns = 0;
  bool have_time = false;
  std::uint64_t events = 0;
  std::map<std::string, std::uint64_t> counts;
  std::uint64_t execs = 0, exits = 0, failed = 0;
  std::unordered_map<std::string, std::uint64_t> binaries;
  std::map<std::string, Destination> network;  // "addr|port|proto"
  std::unordered_map<std::string, std::set<std::string>> names_of;  // address -> DNS names
  std::uint64_t dns_queries = 0;
  std::set<std::string> dns_names;
  std::map<std::string, FileWrites> files;
  json privilege = json::array();
  std::uint64_t privilege_total = 0;
  json findings = json::array();
  std::uint64_t findings_total = 0;
  std::map<std::pair<std::string, std::string>, std::uint64_t> finding_counts;  // (rule, severity): all, not only those listed
  std::map<std::string, std::uint64_t> lost_events;  // from `lost` events
  std::map<std::string, std::uint64_t> lost_manifest;
  std::map<std::string, std::uint64_t> truncated;

  std::string workspace() const {
    auto w = identity_value(identity.is_object() ? identity : json::object(), "workspace", "GITHUB_WORKSPACE");
    return w.empty() ? default_workspace : w;
  }
  bool room(std::size_t size, const char* table) {
    if (size < limits.max_table) return true;
    ++truncated[table];
    return false;
  }
  void add_process(const json& ev, const std::string& type) {
    if (type == events::type_name::process_exec) {
      ++execs;
      auto b = binary_of(ev);
      if (binaries.count(b) || room(binaries.size(), "binaries")) ++binaries[b];
    } else if (type == events::type_name::process_exit) {
      ++exits;
      auto ex = ev.find("exit");
      if (ex != ev.end() && ex->is_object()) {
        auto sig = ex->find("signal");
        auto code = ex->find("code");
        if ((sig != ex->end() && !sig->is_null()) ||
            (code != ex->end() && code->is_number_integer() && code->get<std::int64_t>() != 0))
          ++failed;
      }
    } else if (type == events::type_name::lost) {
      auto t = str_field(ev, "lost_type");
      if (t.empty()) t = "unknown";
      auto c = ev.find("count");
      lost_events[t] += c != ev.end() && c->is_number_unsigned() ? c->get<std::uint64_t>() : 0;
    } else if (type == events::type_name::job_identity && identity.is_null()) {
      auto j = ev.find("job"), mismatch = ev.find("mismatch");
      const bool refused = mismatch != ev.end() && *mismatch != false;  // a claim the sidecar did not adopt
      if (!refused && j != ev.end() && j->is_object()) identity = *j;
    }
  }
  void add_net(const json& ev, const std::string& type) {
    if (type == events::type_name::dns_query) ++dns_queries;
    if (auto a = dns_answer(ev); a && type == events::type_name::dns_answer) {
      if (dns_names.size() < limits.max_table) dns_names.insert(a->name);
      for (auto& addr : a->addresses)
        if (names_of.count(addr) || room(names_of.size(), "dns_addresses")) add_capped(names_of[addr], a->name);
      return;
    }
    auto ep = remote_endpoint(ev);
    if (!ep) return;
    std::string key = ep->address + "|" + std::to_string(ep->port) + "|" + ep->protocol;
    auto it = network.find(key);
    if (it == network.end()) {
      if (!room(network.size(), "network")) return;
      it = network.emplace(key, Destination{*ep, 0, 0, 0, {}}).first;
    }
    auto& d = it->second;
    if (type == events::type_name::net_connect || type == events::type_name::net_accept || type == events::type_name::net_udp) ++d.connections;
    d.sent += bytes_sent(ev);
    d.received += bytes_received(ev);
    add_capped(d.binaries, binary_of(ev));
  }
  void add_file(const json& ev) {
    if (!file_written(ev)) return;
    auto path = file_path(ev);
    if (pseudo_path(path) || under(path, workspace())) return;
    auto it = files.find(path);
    if (it == files.end()) {
      if (!room(files.size(), "files")) return;
      it = files.emplace(path, FileWrites{}).first;
    }
    ++it->second.writes;
    add_capped(it->second.binaries, binary_of(ev));
  }
  void add_priv(const json& ev, const std::string& type) {
    ++privilege_total;
    if (privilege.size() >= limits.max_list) {
      ++truncated["privilege"];
      return;
    }
    json detail = ev.contains("priv") ? ev["priv"] : ev.value("capability", json());
    privilege.push_back({{"time", event_time(ev)}, {"type", type}, {"binary", binary_of(ev)},
                         {"pid", pid_of(ev).value_or(0)}, {"exec_id", exec_id_of(ev)}, {"detail", detail}});
  }
  void add_finding(const json& ev) {
    ++findings_total;
    const json& f = object_field(ev, "finding");
    auto key = std::make_pair(str_field(f, "id"), str_field(f, "severity"));
    if (finding_counts.count(key) || room(finding_counts.size(), "finding_counts")) ++finding_counts[key];
    if (findings.size() >= limits.max_list) {
      ++truncated["findings"];
      return;
    }
    json ids = json::array();
    if (auto e = first_of(f, {"exec_ids", "evidence_exec_ids"}); e && e->is_array())
      for (auto& x : *e) ids.push_back(id_text(x));
    if (ids.empty() && !exec_id_of(ev).empty()) ids.push_back(exec_id_of(ev));
    auto text = [&](std::initializer_list<const char*> keys) {
      auto v = first_of(f, keys);
      return v && v->is_string() ? v->get<std::string>() : std::string();
    };
    findings.push_back({{"id", text({"id", "rule"})}, {"severity", text({"severity"})},
                        {"title", text({"title", "message", "summary"})}, {"time", event_time(ev)},
                        {"exec_ids", ids}, {"binary", binary_of(ev)}, {"evidence", f.is_object() ? f.value("evidence", json()) : json()}});
  }
};

Builder::Builder(Limits l) : s_(std::make_unique<State>()) { s_->limits = l; }
Builder::~Builder() = default;
Builder::Builder(Builder&&) noexcept = default;
Builder& Builder::operator=(Builder&&) noexcept = default;

void Builder::add_manifest(const archive::Manifest& m) {
  s_->have_manifest = true;
  if (!m.job_identity.is_null()) s_->identity = m.job_identity;
  s_->pod = m.meta;
  s_->archive = {{"archive_id", m.archive_id}, {"complete", m.complete}, {"incomplete_reason", m.incomplete_reason},
                 {"segments", m.segments.size()}, {"manifest_events", m.events}};
  s_->manifest_start = m.started_at;
  s_->manifest_end = m.ended_at;
  for (auto& [t, n] : m.lost) s_->lost_manifest[t] += n;
}

void Builder::add(const json& ev) {
  auto& s = *s_;
  const std::string type = event_type(ev);
  ++s.events;
  ++s.counts[type.empty() ? "unknown" : type];
  if (s.limits.event_times) {
    auto t = event_time(ev);
    if (auto ns = parse_rfc3339_ns(t)) {
      if (!s.have_time || *ns < s.first_ns) s.first_ns = *ns, s.first_time = t;
      if (!s.have_time || *ns > s.last_ns) s.last_ns = *ns, s.last_time = t;
      s.have_time = true;
    }
  }
  if (type.rfind("process_", 0) == 0 || type == events::type_name::lost || type == events::type_name::job_identity) s.add_process(ev, type);
  else if (type.rfind("net_", 0) == 0 || type.rfind("dns_", 0) == 0) s.add_net(ev, type);
  else if (type.rfind("file_", 0) == 0) {
    if (s.limits.files) s.add_file(ev);
  }
  else if (type.rfind("priv_", 0) == 0 || type == events::type_name::capability) s.add_priv(ev, type);
  else if (type == events::type_name::finding) s.add_finding(ev);
}

json Builder::result() const {
  auto& s = *s_;
  json r;
  r["identity"] = s.identity;
  r["pod"] = s.pod;
  r["archive"] = s.have_manifest ? s.archive : json{{"complete", false}, {"incomplete_reason", "no manifest"}};
  std::string start = s.manifest_start.empty() ? s.first_time : s.manifest_start;
  std::string end = s.manifest_end.empty() ? s.last_time : s.manifest_end;
  r["start"] = start;
  r["end"] = end;
  auto a = parse_rfc3339_ns(start), b = parse_rfc3339_ns(end);
  r["duration_s"] = a && b ? (static_cast<double>(*b) - static_cast<double>(*a)) / 1e9 : 0.0;  // no int64 overflow
  r["events"] = s.events;
  r["counts"] = s.counts;
  r["processes"] = {{"execs", s.execs}, {"exits", s.exits}, {"failed", s.failed}, {"distinct_binaries", s.binaries.size()}};

  std::vector<std::pair<std::string, std::uint64_t>> bins(s.binaries.begin(), s.binaries.end());
  std::sort(bins.begin(), bins.end(), [](auto& x, auto& y) { return x.second != y.second ? x.second > y.second : x.first < y.first; });
  r["top_binaries"] = json::array();
  for (std::size_t i = 0; i < bins.size() && i < s.limits.top_binaries; ++i)
    r["top_binaries"].push_back({{"binary", bins[i].first}, {"execs", bins[i].second}});

  r["network"] = json::array();
  for (auto& [key, d] : s.network) {
    json names = json::array();
    if (auto it = s.names_of.find(d.ep.address); it != s.names_of.end())
      for (auto& n : it->second) names.push_back(n);
    r["network"].push_back({{"address", d.ep.address}, {"port", d.ep.port}, {"protocol", d.ep.protocol},
                            {"names", names}, {"connections", d.connections}, {"bytes_sent", d.sent},
                            {"bytes_received", d.received}, {"binaries", d.binaries}});
  }
  r["dns"] = {{"queries", s.dns_queries}, {"names", s.dns_names}};
  r["workspace"] = s.workspace();
  r["files_written_outside_workspace"] = json::array();
  for (auto& [path, f] : s.files)
    r["files_written_outside_workspace"].push_back({{"path", path}, {"writes", f.writes}, {"binaries", f.binaries}});
  r["privilege"] = s.privilege;
  r["privilege_total"] = s.privilege_total;
  r["findings"] = s.findings;
  r["findings_total"] = s.findings_total;
  r["finding_counts"] = json::array();
  for (auto& [key, n] : s.finding_counts)
    r["finding_counts"].push_back({{"id", key.first}, {"severity", key.second}, {"count", n}});
  // Losses: the manifest's totals when there is one (they include the lost events' counts),
  // else the sum of `lost` events seen.
  auto lost = s.have_manifest ? s.lost_manifest : s.lost_events;
  if (s.have_manifest)
    for (auto& [t, n] : s.lost_events) lost[t] = std::max(lost[t], n);
  std::uint64_t total = 0;
  for (auto& [t, n] : lost) total += n;
  r["lost"] = lost;
  r["lost_total"] = total;
  r["truncated"] = s.truncated;
  return r;
}

}  // namespace jobtrail::summary
