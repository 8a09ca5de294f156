// Writer: signatures over chain entries and the manifest, and the checkpoints that commit to
// the chain as it grows (docs/archive.md, "Signatures" and "Checkpoints"). Nothing here is
// fatal: a signature or checkpoint that cannot be written is logged and the trail goes on.
#include <spdlog/spdlog.h>

#include <thread>

#include "trail/archive/sha256.hpp"
#include "trail/archive/signing.hpp"
#include "trail/archive/time_text.hpp"
#include "trail/archive/writer_impl.hpp"

namespace jobtrail::archive {

using clock = std::chrono::steady_clock;

void Writer::Impl::record_signing_in_meta() {
  if (opts.signing_key) meta["signing"] = signing_meta_signed(*opts.signing_key);
  else if (!opts.unsigned_reason.empty()) meta["signing"] = signing_meta_unsigned(opts.unsigned_reason);
}

void Writer::Impl::sign_entry(SegmentEntry& e) const {
  if (opts.signing_key && e.sig.empty()) e.sig = sign_text(*opts.signing_key, entry_signed_text(e.entry_hash));
}

void Writer::Impl::checkpoint_after(std::size_t entry) {
  if (!opts.signing_key || entry >= chain.size()) return;
  Checkpoint c;
  c.archive_prefix = prefix;
  c.manifest = manifest_key();
  c.segments = entry + 1;
  c.chain_head = chain[entry].entry_hash;
  c.events = chain[entry].last_seq + 1;
  c.at = now_rfc3339();
  c.key_id = opts.signing_key->key_id();
  c.signature = sign_text(*opts.signing_key, checkpoint_signed_text(c));
  std::lock_guard lock(checkpoint_mu);
  checkpoint_due[chain[entry].name] = std::move(c);
}

namespace {
// One attempt: a checkpoint that fails is superseded by the next segment's.
void put_checkpoint(storage::Store& store, const std::string& key, const Checkpoint& c) {
  try {
    store.put_new(key, to_json_text(c), "application/json");
    spdlog::debug("checkpoint {} written", key);
  } catch (const storage::StoreError& e) {
    if (e.code() == "AlreadyExists")
      spdlog::warn("checkpoint {} already exists: not ours unless an earlier writer of this archive wrote it "
                   "(`jobtrail verify --key` checks its signature)",
                   key);
    else
      spdlog::warn("checkpoint {} not written ({}: {}); the next one covers it", key, e.code(), e.what());
  } catch (const std::exception& e) {
    spdlog::warn("checkpoint {} not written: {}", key, e.what());
  }
}
}  // namespace

void Writer::Impl::write_checkpoint(const std::string& segment) {
  std::optional<Checkpoint> c;
  {
    std::lock_guard lock(checkpoint_mu);
    auto it = checkpoint_due.find(segment);
    if (it == checkpoint_due.end()) return;
    c = std::move(it->second);
    checkpoint_due.erase(it);
  }
  put_checkpoint(*store, checkpoint_key(prefix, *c), *c);
}

void Writer::Impl::after_manifest(const std::string& body, bool stored, bool in_store, clock::time_point deadline) {
  if (!opts.signing_key) return;
  if (stored) {
    auto key = manifest_key() + std::string(signature_suffix);
    auto sig = manifest_signature_object(*opts.signing_key, body);
    for (int attempt = 0;; ++attempt) {
      try {
        store->put_new(key, sig, "application/json");
        break;
      } catch (const std::exception& e) {
        auto pause = std::chrono::milliseconds(std::min(100 << std::min(attempt, 4), 1000));
        if (clock::now() + pause >= deadline) {
          spdlog::error("manifest signature {} could not be written: {}", key, e.what());
          break;
        }
        std::this_thread::sleep_for(pause);
      }
    }
  }
  // The final checkpoint names the manifest bytes this writer produced: if another writer's
  // manifest took the key first, the two differ and the verifier says so.
  if (!in_store) return;
  Checkpoint c;
  {
    std::lock_guard lock(mu);
    c.segments = chain.size();
    c.chain_head = chain.empty() ? genesis_hash() : chain.back().entry_hash;
    c.events = chain.empty() ? 0 : chain.back().last_seq + 1;
  }
  c.archive_prefix = prefix;
  c.manifest = manifest_key();
  c.final = true;
  c.manifest_sha256 = sha256_hex(body);
  c.at = now_rfc3339();
  c.key_id = opts.signing_key->key_id();
  c.signature = sign_text(*opts.signing_key, checkpoint_signed_text(c));
  if (!stored)
    spdlog::error("{} was already in the store and is not this writer's: the final checkpoint records this "
                  "writer's manifest (SHA-256 {}), so `jobtrail verify --key` reports the other one",
                  manifest_key(), c.manifest_sha256);
  put_checkpoint(*store, checkpoint_key(prefix, c), c);
}

}  // namespace jobtrail::archive
