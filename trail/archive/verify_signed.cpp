#include "trail/archive/verify_signed.hpp"

#include <algorithm>

#include "trail/archive/sha256.hpp"
#include "trail/archive/signing.hpp"

namespace jobtrail::archive {

using nlohmann::json;

namespace {

std::string ids_of(const sign::KeyRing& keys) {
  std::string out;
  for (auto& k : keys.keys()) out += (out.empty() ? "" : ", ") + k.key_id();
  return out;
}

std::string claimed_signing(const Manifest* m) {
  if (!m) return "";
  auto s = m->meta.find("signing");
  if (s == m->meta.end() || !s->is_object()) return " (the manifest says nothing about signing)";
  if (s->value("signed", false)) return " (the manifest claims key " + s->value("key_id", std::string("?")) + ")";
  return " (the writer recorded: " + s->value("reason", std::string("no reason")) + ")";
}

constexpr std::size_t max_small_object_bytes = 64 * 1024;  // checkpoints and signature objects
constexpr int max_bad_checkpoints = 50;  // a folder stuffed with junk is reported, not read to its end

}  // namespace

std::vector<Problem> check_manifest_signature(const sign::KeyRing& keys, const Manifest* m, std::string_view bytes,
                                              const std::optional<std::string>& body, std::string& signer) {
  signer.clear();
  if (!body)
    return {{ProblemKind::not_signed, "", "the manifest has no signature object" + claimed_signing(m)}};
  std::string why;
  auto obj = parse_signature_object(*body, why);
  if (!obj) return {{ProblemKind::bad_signature, "", "manifest signature: " + why}};
  const sign::PublicKey* key = keys.find(obj->key_id);
  if (!key)
    return {{ProblemKind::key_mismatch, "",
             "the manifest is signed by key " + obj->key_id + ", which is none of the keys given (" + ids_of(keys) + ")"}};
  if (!verify_text(*key, manifest_signed_text(bytes), obj->signature))
    return {{ProblemKind::bad_signature, "",
             "the manifest's signature does not verify with key " + obj->key_id + ": the manifest was altered or replaced"}};
  if (m) {
    auto s = m->meta.find("signing");
    if (s == m->meta.end() || !s->is_object() || s->value("key_id", std::string()) != obj->key_id)
      return {{ProblemKind::bad_signature, "", "the manifest's meta.signing does not name the key that signed it"}};
  }
  signer = obj->key_id;
  return {};
}

std::vector<Problem> check_entry_signatures(const sign::PublicKey& key, const Manifest& m) {
  std::vector<Problem> out;
  for (auto& e : m.segments) {
    if (e.sig.empty())
      out.push_back({ProblemKind::not_signed, e.name, e.name + ": the chain entry has no signature"});
    else if (!verify_text(key, entry_signed_text(e.entry_hash), e.sig))
      out.push_back({ProblemKind::bad_signature, e.name,
                     e.name + ": the chain entry's signature does not verify with key " + key.key_id()});
  }
  return out;
}

std::optional<Problem> check_checkpoint_signature(const sign::KeyRing& keys, const Checkpoint& c, std::string_view prefix,
                                                  const std::string& key) {
  const sign::PublicKey* k = keys.find(c.key_id);
  if (!k)
    return Problem{ProblemKind::key_mismatch, "",
                   "checkpoint " + key + " is signed by key " + c.key_id + ", which is none of the keys given"};
  if (!verify_text(*k, checkpoint_signed_text(c), c.signature))
    return Problem{ProblemKind::bad_signature, "", "checkpoint " + key + ": its signature does not verify"};
  if (c.archive_prefix != prefix)
    return Problem{ProblemKind::checkpoint_mismatch, "",
                   "checkpoint " + key + " belongs to archive prefix '" + c.archive_prefix + "', not this one"};
  return std::nullopt;
}

std::vector<Problem> compare_with_checkpoint(const Checkpoint& c, const std::string& key, const Manifest* m,
                                             bool manifest_present, std::string_view bytes, std::uint64_t stored) {
  std::vector<Problem> out;
  const std::string said = "checkpoint " + key + " (" + c.at + ") commits to " + std::to_string(c.segments) +
                           " segment(s), " + std::to_string(c.events) + " event(s)";
  if (c.final && manifest_present && sha256_hex(bytes) != c.manifest_sha256)
    out.push_back({ProblemKind::checkpoint_mismatch, "",
                   "the manifest is not the one the writer stored: " + said + " and a manifest of SHA-256 " +
                       c.manifest_sha256});
  if (!manifest_present) {
    if (c.final)
      out.push_back({ProblemKind::tail_cut, "", "the manifest was removed: " + said + " and a written manifest"});
    else if (stored < c.segments)
      out.push_back({ProblemKind::tail_cut, "",
                     "the tail was cut: the store holds " + std::to_string(stored) + " segment(s) in a row from 0; " + said});
    return out;
  }
  if (!m) return out;  // present but unreadable: manifest_invalid says so
  if (m->segments.size() < c.segments || m->events < c.events) {
    out.push_back({ProblemKind::tail_cut, "",
                   "the tail was cut: the manifest lists " + std::to_string(m->segments.size()) + " segment(s), " +
                       std::to_string(m->events) + " event(s); " + said});
  } else if (c.segments > 0 && m->segments[c.segments - 1].entry_hash != c.chain_head) {
    out.push_back({ProblemKind::checkpoint_mismatch, m->segments[c.segments - 1].name,
                   "the manifest's chain is not the writer's: entry " + std::to_string(c.segments - 1) + " hashes to " +
                       m->segments[c.segments - 1].entry_hash + ", " + said + " with head " + c.chain_head});
  }
  return out;
}

std::vector<Problem> check_index(const json& index, const Manifest& m, const std::string& manifest_key) {
  std::vector<Problem> out;
  auto text = [&](const char* k) {
    auto it = index.find(k);
    return it != index.end() && it->is_string() ? std::optional<std::string>(it->get<std::string>()) : std::nullopt;
  };
  auto prefix = text("archive_prefix");
  if (!prefix || *prefix != m.archive_prefix)
    out.push_back({ProblemKind::index_mismatch, "",
                   "the index names archive prefix '" + prefix.value_or("?") + "', the manifest it leads to is of '" +
                       m.archive_prefix + "'"});
  if (auto mk = text("manifest"); mk && *mk != manifest_key)
    out.push_back({ProblemKind::index_mismatch, "",
                   "the index names manifest '" + *mk + "', the one read is '" + manifest_key + "'"});
  if (auto id = text("archive_id"); !id || *id != m.archive_id)
    out.push_back({ProblemKind::index_mismatch, "",
                   "the index names archive id '" + id.value_or("?") + "', the manifest '" + m.archive_id + "'"});
  auto ji = index.find("job_identity");
  if ((ji == index.end() ? json() : *ji) != m.job_identity)
    out.push_back({ProblemKind::index_mismatch, "", "the index's job identity differs from the manifest's"});
  return out;
}

SignatureReport verify_signatures(storage::Store& archive, const std::string& prefix, const VerifyReport& rep,
                                  const CheckpointPlace& place, const sign::KeyRing& keys) {
  SignatureReport out;
  auto add = [&](std::vector<Problem> ps) {
    for (auto& p : ps) out.problems.push_back(std::move(p));
  };
  const bool manifest_present = !rep.has(ProblemKind::manifest_missing);
  out.manifest_present = manifest_present;
  const Manifest* m = rep.manifest ? &*rep.manifest : nullptr;
  if (manifest_present) {
    // Sized from the listing before it is read: whoever can write the bucket chooses its size.
    const std::string sig_key = prefix + std::string(manifest_name) + std::string(signature_suffix);
    std::optional<std::string> sig;
    for (auto& o : archive.list(sig_key))
      if (o.key == sig_key) sig = o.size > max_small_object_bytes ? std::string("{}") : archive.get(sig_key);
    add(check_manifest_signature(keys, m, rep.manifest_bytes, sig, out.signer));
    if (m && !out.signer.empty()) add(check_entry_signatures(*keys.find(out.signer), *m));
  }

  if (!place.root) return out;
  const std::string cp_prefix = checkpoint_prefix(place.archive_prefix);
  std::vector<std::pair<std::uint64_t, storage::ObjectInfo>> ranked;
  for (auto& o : place.root->list(cp_prefix)) {
    auto name = std::string_view(o.key).substr(cp_prefix.size());
    if (name.find('/') != std::string_view::npos) continue;  // another archive's folder below this one
    if (auto r = checkpoint_rank(name)) ranked.push_back({*r, o});
  }
  std::sort(ranked.begin(), ranked.end(), [](auto& a, auto& b) { return a.first > b.first; });
  int bad = 0;
  std::vector<std::pair<Problem, int>> rejected;  // first of each kind, and how many more
  for (auto& [rank, o] : ranked) {
    std::optional<Problem> problem;
    std::optional<Checkpoint> c;
    if (o.size > max_small_object_bytes) {
      problem = Problem{ProblemKind::bad_signature, "", "checkpoint " + o.key + " is " + std::to_string(o.size) + " bytes: not a checkpoint"};
    } else {
      std::string why;
      c = parse_checkpoint(place.root->get(o.key), why);
      if (!c) problem = Problem{ProblemKind::bad_signature, "", "checkpoint " + o.key + ": " + why};
      else if (c->final != (rank == ~std::uint64_t{0}) || (!c->final && c->segments != rank))
        problem = Problem{ProblemKind::bad_signature, "", "checkpoint " + o.key + " does not hold what its name says"};
      else problem = check_checkpoint_signature(keys, *c, place.archive_prefix, o.key);
    }
    if (!problem) {
      out.checkpoint = std::move(c);
      out.checkpoint_key = o.key;
      break;
    }
    // One line per kind of failure: a folder of a thousand foreign checkpoints is one finding.
    auto same = std::find_if(rejected.begin(), rejected.end(), [&](auto& r) { return r.first.kind == problem->kind; });
    if (same == rejected.end()) rejected.push_back({std::move(*problem), 0});
    else ++same->second;
    if (++bad >= max_bad_checkpoints) {
      out.problems.push_back({ProblemKind::bad_signature, "",
                              std::to_string(max_bad_checkpoints) + " checkpoints in a row are not valid; the rest were not examined"});
      break;
    }
  }
  for (auto& [p, more] : rejected) {
    if (more) p.message += " (and " + std::to_string(more) + " more checkpoint(s) like it)";
    out.problems.push_back(std::move(p));
  }
  if (!out.checkpoint) return out;

  std::uint64_t stored = 0;
  if (!manifest_present) {
    std::vector<std::uint64_t> idx;
    for (auto& o : archive.list(prefix))
      if (auto n = parse_segment_name(std::string_view(o.key).substr(prefix.size()))) idx.push_back(*n);
    std::sort(idx.begin(), idx.end());
    while (stored < idx.size() && idx[stored] == stored) ++stored;
  }
  add(compare_with_checkpoint(*out.checkpoint, out.checkpoint_key, m, manifest_present, rep.manifest_bytes, stored));
  return out;
}

}  // namespace jobtrail::archive
