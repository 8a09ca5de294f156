#include "trail/archive/manifest.hpp"

#include <cstdio>
#include <stdexcept>
#include <type_traits>

#include "trail/archive/sha256.hpp"

namespace jobtrail::archive {

using nlohmann::json;

std::string segment_name(std::uint64_t index) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "events-%06llu.jsonl.zst", static_cast<unsigned long long>(index));
  return buf;
}

std::optional<std::uint64_t> parse_segment_name(std::string_view name) {
  constexpr std::string_view head = "events-", tail = ".jsonl.zst";
  if (name.size() < head.size() + tail.size() + 6 || !name.starts_with(head) || !name.ends_with(tail))
    return std::nullopt;
  auto digits = name.substr(head.size(), name.size() - head.size() - tail.size());
  if (digits.size() > 19) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return v;
}

std::string genesis_hash() { return std::string(64, '0'); }

std::string compute_entry_hash(const SegmentEntry& e) {
  // A fixed, line-based canonical form: independent of JSON key order or number formatting,
  // so any tool can recompute it.
  std::string text = "jobtrail-segment-v1\n";
  text += e.name + "\n" + std::to_string(e.size) + "\n" + e.sha256 + "\n" + std::to_string(e.events) +
          "\n" + std::to_string(e.first_seq) + "\n" + std::to_string(e.last_seq) + "\n" + e.prev + "\n";
  return sha256_hex(text);
}

void chain_append(std::vector<SegmentEntry>& chain, SegmentEntry e) {
  e.prev = chain.empty() ? genesis_hash() : chain.back().entry_hash;
  e.entry_hash = compute_entry_hash(e);
  chain.push_back(std::move(e));
}

json to_json(const SegmentEntry& e) {
  json j{{"name", e.name},           {"size", e.size},         {"sha256", e.sha256},
              {"events", e.events},       {"first_seq", e.first_seq}, {"last_seq", e.last_seq},
              {"prev", e.prev},           {"entry_hash", e.entry_hash}};
  if (!e.sig.empty()) j["sig"] = e.sig;
  return j;
}

namespace {
template <class T>
T field(const json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end()) throw std::runtime_error(std::string("manifest: missing field '") + name + "'");
  // json's get<uint64_t> wraps -1 to 2^64-1: a count must be a non-negative integer as written.
  if constexpr (std::is_same_v<T, std::uint64_t>)
    if (!it->is_number_unsigned())
      throw std::runtime_error(std::string("manifest: field '") + name + "' is not a non-negative integer");
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>)  // 1e999 as an int is undefined
    if (!it->is_number_integer())
      throw std::runtime_error(std::string("manifest: field '") + name + "' is not an integer");
  try {
    return it->get<T>();
  } catch (const json::exception&) {
    throw std::runtime_error(std::string("manifest: field '") + name + "' has the wrong type");
  }
}

Counts counts_from(const json& j, const char* name) {
  Counts c;
  if (auto it = j.find(name); it != j.end() && it->is_object())
    for (auto& [k, v] : it->items()) {
      if (!v.is_number_unsigned())
        throw std::runtime_error(std::string("manifest: '") + name + "' holds a count that is not a non-negative integer");
      c[k] = v.get<std::uint64_t>();
    }
  return c;
}
}  // namespace

SegmentEntry segment_entry_from_json(const json& j) {
  SegmentEntry e;
  e.name = field<std::string>(j, "name");
  e.size = field<std::uint64_t>(j, "size");
  e.sha256 = field<std::string>(j, "sha256");
  e.events = field<std::uint64_t>(j, "events");
  e.first_seq = field<std::uint64_t>(j, "first_seq");
  e.last_seq = field<std::uint64_t>(j, "last_seq");
  e.prev = field<std::string>(j, "prev");
  e.entry_hash = field<std::string>(j, "entry_hash");
  if (j.contains("sig")) e.sig = field<std::string>(j, "sig");
  return e;
}

json to_json(const Manifest& m) {
  json segs = json::array();
  for (auto& s : m.segments) segs.push_back(to_json(s));
  json failed = json::array();
  for (auto& f : m.failed_objects) failed.push_back({{"key", f.key}, {"error", f.error}, {"attempts", f.attempts}});
  return json{{"format", format_name},
              {"format_version", format_version},
              {"schema_version", m.schema_version},
              {"layout_version", m.layout_version},
              {"archive_id", m.archive_id},
              {"archive_prefix", m.archive_prefix},
              {"writer_version", m.writer_version},
              {"meta", m.meta},
              {"job_identity", m.job_identity},
              {"started_at", m.started_at},
              {"ended_at", m.ended_at},
              {"complete", m.complete},
              {"incomplete_reason", m.incomplete_reason},
              {"events", m.events},
              {"event_counts", m.event_counts},
              {"lost", m.lost},
              {"spool_dropped", m.spool_dropped},
              {"segments", segs},
              {"not_uploaded", m.not_uploaded},
              {"failed_objects", failed},
              {"resumed", m.resumed},
              {"chain_head", m.segments.empty() ? genesis_hash() : m.segments.back().entry_hash}};
}

Manifest manifest_from_json(const json& j) {
  if (!j.is_object()) throw std::runtime_error("manifest: not a JSON object");
  if (field<std::string>(j, "format") != format_name)
    throw std::runtime_error("manifest: not a jobtrail archive manifest");
  auto version = field<int>(j, "format_version");
  if (version != format_version)
    throw std::runtime_error("manifest: format_version " + std::to_string(version) +
                             " is not supported (this build reads " + std::to_string(format_version) + ")");
  Manifest m;
  m.archive_id = j.value("archive_id", "");
  m.archive_prefix = j.value("archive_prefix", "");
  m.writer_version = j.value("writer_version", "");
  auto schema = j.find("schema_version");
  m.schema_version = schema == j.end() ? 1 : field<int>(j, "schema_version");
  m.layout_version = j.contains("layout_version") ? field<int>(j, "layout_version") : 1;
  m.meta = j.value("meta", json::object());
  m.job_identity = j.value("job_identity", json());
  m.started_at = j.value("started_at", "");
  m.ended_at = j.value("ended_at", "");
  m.complete = field<bool>(j, "complete");
  m.incomplete_reason = j.value("incomplete_reason", "");
  m.events = field<std::uint64_t>(j, "events");
  m.event_counts = counts_from(j, "event_counts");
  m.lost = counts_from(j, "lost");
  m.spool_dropped = j.value("spool_dropped", std::uint64_t{0});
  auto segs = field<json>(j, "segments");
  if (!segs.is_array()) throw std::runtime_error("manifest: 'segments' is not an array");
  for (auto& s : segs) m.segments.push_back(segment_entry_from_json(s));
  m.not_uploaded = j.value("not_uploaded", std::vector<std::string>{});
  m.resumed = j.value("resumed", json::array());
  if (auto it = j.find("failed_objects"); it != j.end()) {
    if (!it->is_array()) throw std::runtime_error("manifest: 'failed_objects' is not an array");
    for (auto& f : *it) m.failed_objects.push_back({field<std::string>(f, "key"), field<std::string>(f, "error"),
                                                    field<std::uint64_t>(f, "attempts")});
  }
  return m;
}

std::string key_component(std::string_view raw) {
  std::string out;
  for (char c : raw) {
    unsigned char u = static_cast<unsigned char>(c);
    out += (c == '/' || c == '\\' || u < 0x20 || u == 0x7f) ? '_' : c;
  }
  if (out.empty() || out == "." || out == "..") out = "_" + out;
  return out;
}

namespace {
std::optional<std::string> text_of(const json& id, const char* ours, const char* github) {
  for (const char* name : {ours, github}) {
    auto it = id.find(name);
    if (it == id.end() || it->is_null()) continue;
    if (it->is_string() && !it->get_ref<const std::string&>().empty()) return it->get<std::string>();
    if (it->is_number_integer()) return std::to_string(it->get<long long>());
  }
  return std::nullopt;
}
}  // namespace

std::optional<std::string> index_key(const json& identity, const std::string& name) {
  if (!identity.is_object() || name.empty()) return std::nullopt;
  auto repo = text_of(identity, "repository", "GITHUB_REPOSITORY");
  auto run = text_of(identity, "run_id", "GITHUB_RUN_ID");
  auto attempt = text_of(identity, "run_attempt", "GITHUB_RUN_ATTEMPT");
  auto job = text_of(identity, "job", "GITHUB_JOB");
  if (!repo || !run || !job) return std::nullopt;
  if (!attempt) attempt = "1";  // GitHub omits it on old runners; the first attempt is 1
  auto slash = repo->find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == repo->size()) return std::nullopt;
  return "jobs/" + key_component(repo->substr(0, slash)) + "/" + key_component(repo->substr(slash + 1)) +
         "/" + key_component(*run) + "/" + key_component(*attempt) + "/" + key_component(*job) + "/" +
         key_component(name) + ".json";
}

}  // namespace jobtrail::archive
