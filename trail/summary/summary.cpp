// The summary fold: one pass, one small update per event.
#include "trail/summary/summary.hpp"

#include <algorithm>
#include <set>
#include <unordered_map>

#include "trail/event/decoder.hpp"
#include "trail/events/types.hpp"
#include "trail/summary/fields.hpp"
#include "trail/text/exact_bytes.hpp"
#include "trail/text/utf8.hpp"

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

// Typed events hold the job's exact bytes; the summary shows the readable form the archive
// carries beside them (docs/schema.md, "Bytes that are not UTF-8"): the same text as before.
std::string readable(const std::string& bytes) {
  return text::is_valid_utf8(bytes) ? bytes : text::to_valid_utf8(bytes);
}

std::string binary_of(const event::Event& ev) { return readable(ev.process.binary); }
std::string exec_id_of(const event::Event& ev) {
  return ev.process.has(event::ProcessField::exec_id) ? std::to_string(ev.process.exec_id) : std::string();
}

// A string map (job identity) in the archive's form: readable values, `K_b64` beside those not UTF-8.
json string_map_json(const std::vector<std::pair<std::string, std::string>>& map) {
  json o = json::object();
  for (const auto& [k, v] : map) {
    if (text::is_valid_utf8(v)) {
      o[k] = v;
    } else {
      o[k] = text::to_valid_utf8(v);
      o[k + std::string(text::exact_bytes_suffix)] = text::base64_encode(v);
    }
  }
  return o;
}

// A family object kept as compact JSON text (priv, capability); null when the event had none.
json object_json(const std::string& text) {
  if (text.empty()) return json();
  json j = json::parse(text, nullptr, false);
  return j.is_discarded() ? json() : j;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

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
  void add_process(const event::Event& ev, events::Type type) {
    using events::Type;
    if (type == Type::process_exec) {
      ++execs;
      auto b = binary_of(ev);
      if (binaries.count(b) || room(binaries.size(), "binaries")) ++binaries[b];
    } else if (type == Type::process_exit) {
      ++exits;
      if (const auto* x = ev.get<event::Exit>(); x && (x->signal || (x->code && *x->code != 0))) ++failed;
    } else if (type == Type::lost) {
      const auto* l = ev.get<event::Lost>();
      std::string t = l ? readable(l->lost_type) : std::string();
      if (t.empty()) t = "unknown";
      lost_events[t] += l ? l->count : 0;
    } else if (type == Type::job_identity && identity.is_null()) {
      const auto* id = ev.get<event::Identity>();
      // a claim the sidecar did not adopt (mismatch) never names the job
      if (id && !id->mismatch && id->job) identity = string_map_json(*id->job);
    }
  }
  void add_net(const event::Event& ev, events::Type type) {
    using events::Type;
    if (type == Type::dns_query) ++dns_queries;
    if (const auto* d = ev.get<event::Dns>()) {
      const std::string name = d->name ? readable(*d->name) : std::string();
      if (type != Type::dns_answer || name.empty()) return;
      if (dns_names.size() < limits.max_table) dns_names.insert(name);
      if (d->answers)
        for (const auto& a : *d->answers) {
          if (!a.data) continue;
          const std::string addr = readable(*a.data);
          if (names_of.count(addr) || room(names_of.size(), "dns_addresses")) add_capped(names_of[addr], name);
        }
      return;
    }
    const auto* n = ev.get<event::Net>();
    if (!n || n->flow.dst_addr.empty()) return;
    Endpoint ep{readable(n->flow.dst_addr), n->flow.dst_port, readable(n->flow.protocol)};
    std::string key = ep.address + "|" + std::to_string(ep.port) + "|" + ep.protocol;
    auto it = network.find(key);
    if (it == network.end()) {
      if (!room(network.size(), "network")) return;
      it = network.emplace(std::move(key), Destination{std::move(ep), 0, 0, 0, {}}).first;
    }
    auto& d = it->second;
    if (type == Type::net_connect || type == Type::net_accept || type == Type::net_udp) ++d.connections;
    // net_udp (docs/net.md) counts the datagrams' payload of a flow in `bytes`: all sent.
    d.sent += type == Type::net_udp ? n->bytes : n->bytes_sent;
    d.received += n->bytes_received;
    add_capped(d.binaries, binary_of(ev));
  }
  static bool file_written(const event::File& f, events::Type type) {
    // A refused open or change (result: an errno name) wrote nothing: `show` has the attempt.
    if (f.result && *f.result != "ok") return false;
    if (type == events::Type::file_change) return true;
    if (f.bytes_written.value_or(0) > 0) return true;
    // docs/schema.md: file_open `mode` is an array of read/write/create/truncate/append.
    if (f.mode)
      for (const auto& m : *f.mode)
        if (m == "write" || m == "create" || m == "truncate" || m == "append") return true;
    return false;
  }
  void add_file(const event::Event& ev, events::Type type) {
    const auto* f = ev.get<event::File>();
    if (!f || !file_written(*f, type)) return;
    auto path = readable(f->path);
    if (pseudo_path(path) || under(path, workspace())) return;
    auto it = files.find(path);
    if (it == files.end()) {
      if (!room(files.size(), "files")) return;
      it = files.emplace(path, FileWrites{}).first;
    }
    ++it->second.writes;
    add_capped(it->second.binaries, binary_of(ev));
  }
  void add_priv(const event::Event& ev, std::string_view type) {
    ++privilege_total;
    if (privilege.size() >= limits.max_list) {
      ++truncated["privilege"];
      return;
    }
    json detail;
    if (const auto* p = ev.get<event::Priv>()) detail = object_json(p->json);
    else if (const auto* c = ev.get<event::Capability>()) detail = object_json(c->json);
    privilege.push_back({{"time", ev.time}, {"type", type}, {"binary", binary_of(ev)},
                         {"pid", ev.process.has(event::ProcessField::pid) ? std::int64_t{ev.process.pid} : 0},
                         {"exec_id", exec_id_of(ev)}, {"detail", std::move(detail)}});
  }
  void add_finding(const event::Event& ev) {
    ++findings_total;
    static const event::Finding none;
    const auto* found = ev.get<event::Finding>();
    const auto& f = found ? *found : none;
    auto key = std::make_pair(readable(f.id), readable(f.severity));
    if (finding_counts.count(key) || room(finding_counts.size(), "finding_counts")) ++finding_counts[key];
    if (findings.size() >= limits.max_list) {
      ++truncated["findings"];
      return;
    }
    json ids = json::array();
    for (auto x : f.exec_ids) ids.push_back(std::to_string(x));
    if (ids.empty() && !exec_id_of(ev).empty()) ids.push_back(exec_id_of(ev));
    findings.push_back({{"id", key.first}, {"severity", key.second}, {"title", readable(f.title)}, {"time", ev.time},
                        {"exec_ids", std::move(ids)}, {"binary", binary_of(ev)},
                        {"evidence", f.evidence ? json(*f.evidence) : json()}});
  }
  event::Decoder decoder;  // for add(json)
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

void Builder::add(const event::Event& ev) {
  auto& s = *s_;
  const std::string_view type = ev.name();
  ++s.events;
  ++s.counts[type.empty() ? "unknown" : std::string(type)];
  if (s.limits.event_times) {
    if (auto ns = parse_rfc3339_ns(ev.time)) {
      if (!s.have_time || *ns < s.first_ns) s.first_ns = *ns, s.first_time = ev.time;
      if (!s.have_time || *ns > s.last_ns) s.last_ns = *ns, s.last_time = ev.time;
      s.have_time = true;
    }
  }
  // Families by name prefix, as the schema groups them; a type of a newer schema has no typed
  // part, so it is only counted (privilege types are also listed).
  if (starts_with(type, "priv_") || type == events::type_name::capability) return s.add_priv(ev, type);
  if (!ev.type) return;
  if (starts_with(type, "process_") || type == events::type_name::lost || type == events::type_name::job_identity)
    s.add_process(ev, *ev.type);
  else if (starts_with(type, "net_") || starts_with(type, "dns_")) s.add_net(ev, *ev.type);
  else if (starts_with(type, "file_")) {
    if (s.limits.files) s.add_file(ev, *ev.type);
  } else if (*ev.type == events::Type::finding) s.add_finding(ev);
}

void Builder::add(const json& ev) {
  event::Event typed;
  if (s_->decoder.decode(ev.dump(-1, ' ', false, json::error_handler_t::replace), typed)) add(typed);
  else add_unreadable();
}

void Builder::add_unreadable() { ++s_->truncated["unreadable_events"]; }

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
