// Authenticity checks (trail/archive/verify_signed.hpp): the pure comparisons, then archives
// written by the real Writer with a signing key into a folder store and damaged there.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>

#include "tests/archive/test_support.hpp"
#include "tests/sign/test_keys.hpp"
#include "trail/archive/signing.hpp"
#include "trail/archive/verify_signed.hpp"
#include "trail/archive/writer.hpp"

using namespace jobtrail;
using namespace jobtrail::archive;
namespace k = jobtrail::test_keys;
namespace fs = std::filesystem;

namespace {
bool has(const std::vector<Problem>& ps, ProblemKind kind) {
  for (auto& p : ps)
    if (p.kind == kind) return true;
  return false;
}

sign::KeyRing ring_of(const char* pem) {
  sign::KeyRing r;
  r.add(sign::PublicKey::from_pem(pem));
  return r;
}

Manifest manifest_with(std::size_t segments) {
  Manifest m;
  m.archive_prefix = "pods/a/b/c/";
  m.archive_id = "c";
  for (std::size_t i = 0; i < segments; ++i)
    chain_append(m.segments, SegmentEntry{segment_name(i), 10, std::string(64, 'f'), 5, i * 5, i * 5 + 4, "", ""});
  m.events = segments * 5;
  return m;
}

Checkpoint checkpoint_of(const Manifest& m, std::size_t segments) {
  Checkpoint c;
  c.archive_prefix = m.archive_prefix;
  c.manifest = m.archive_prefix + "manifest.json";
  c.segments = segments;
  c.chain_head = m.segments[segments - 1].entry_hash;
  c.events = segments * 5;
  c.at = "2026-12-01T00:00:00Z";
  return c;
}

// A signed archive of `n` events in a folder store under `prefix`.
void write_signed(const fs::path& spool, const fs::path& store_dir, const std::string& prefix, std::uint64_t n) {
  WriterOptions o;
  o.spool_dir = spool;
  o.segment_max_bytes = 4 << 10;
  o.signing_key = std::make_shared<const sign::PrivateKey>(sign::PrivateKey::from_pem(k::ed_private_1));
  Writer w(o, std::make_shared<storage::LocalStore>(store_dir), prefix, {{"pod", {{"uid", "c"}}}});
  for (std::uint64_t i = 0; i < n; ++i) {
    auto ev = archive_test::make_event(i);
    w.append(ev);
  }
  auto r = w.finish(true, "", std::chrono::steady_clock::now() + std::chrono::seconds(20));
  REQUIRE(r.not_uploaded.empty());
}

SignatureReport check(const fs::path& store_dir, const std::string& prefix, const sign::KeyRing& keys) {
  storage::LocalStore store(store_dir);
  auto rep = verify_archive(store, prefix);
  return verify_signatures(store, prefix, rep, {&store, prefix}, keys);
}
}  // namespace

TEST_CASE("verify_signed: the manifest signature object: missing, foreign key, altered bytes, good") {
  auto priv = sign::PrivateKey::from_pem(k::ed_private_1);
  auto keys = ring_of(k::ed_public_1);
  Manifest m = manifest_with(1);
  m.meta["signing"] = signing_meta_signed(priv);
  std::string bytes = "{\"the\":\"manifest\"}";
  std::string signer;
  CHECK(has(check_manifest_signature(keys, &m, bytes, std::nullopt, signer), ProblemKind::not_signed));
  auto sig = manifest_signature_object(priv, bytes);
  CHECK(has(check_manifest_signature(ring_of(k::ed_public_2), &m, bytes, sig, signer), ProblemKind::key_mismatch));
  CHECK(has(check_manifest_signature(keys, &m, bytes + " ", sig, signer), ProblemKind::bad_signature));
  CHECK(has(check_manifest_signature(keys, &m, bytes, "{}", signer), ProblemKind::bad_signature));
  CHECK(check_manifest_signature(keys, &m, bytes, sig, signer).empty());
  CHECK(signer == k::ed_key_id_1);
  m.meta["signing"]["key_id"] = "someone else";  // the signed manifest must name its signer
  CHECK(has(check_manifest_signature(keys, &m, bytes, sig, signer), ProblemKind::bad_signature));
}

TEST_CASE("verify_signed: an archive that ends before its checkpoint is a cut tail") {
  Manifest m = manifest_with(5);
  auto c = checkpoint_of(m, 5);
  CHECK(compare_with_checkpoint(c, "cp", &m, true, "", 0).empty());
  Manifest shorter = manifest_with(3);
  CHECK(has(compare_with_checkpoint(c, "cp", &shorter, true, "", 0), ProblemKind::tail_cut));
  // No manifest: a crash after the checkpoint looks like this...
  CHECK(compare_with_checkpoint(c, "cp", nullptr, false, "", 5).empty());
  // ...fewer segments than the checkpoint committed to does not.
  CHECK(has(compare_with_checkpoint(c, "cp", nullptr, false, "", 4), ProblemKind::tail_cut));
  c.final = true;  // the writer did write its manifest
  CHECK(has(compare_with_checkpoint(c, "cp", nullptr, false, "", 5), ProblemKind::tail_cut));
}

TEST_CASE("verify_signed: another chain or another manifest than the checkpoint names") {
  Manifest m = manifest_with(4);
  auto c = checkpoint_of(m, 3);
  Manifest other = manifest_with(4);
  other.segments[2].sha256 = std::string(64, '0');
  other.segments[2].entry_hash = compute_entry_hash(other.segments[2]);
  CHECK(has(compare_with_checkpoint(c, "cp", &other, true, "", 0), ProblemKind::checkpoint_mismatch));
  c.final = true;
  c.manifest_sha256 = std::string(64, 'a');
  CHECK(has(compare_with_checkpoint(c, "cp", &m, true, "the bytes", 0), ProblemKind::checkpoint_mismatch));
}

TEST_CASE("verify_signed: checkpoints of another archive or key, or altered, are refused") {
  auto priv = sign::PrivateKey::from_pem(k::ed_private_1);
  auto m = manifest_with(2);
  auto c = checkpoint_of(m, 2);
  c.key_id = priv.key_id();
  c.signature = sign_text(priv, checkpoint_signed_text(c));
  auto keys = ring_of(k::ed_public_1);
  CHECK_FALSE(check_checkpoint_signature(keys, c, m.archive_prefix, "k"));
  CHECK(check_checkpoint_signature(keys, c, "pods/x/y/z/", "k")->kind == ProblemKind::checkpoint_mismatch);
  CHECK(check_checkpoint_signature(ring_of(k::ed_public_2), c, m.archive_prefix, "k")->kind == ProblemKind::key_mismatch);
  c.events += 1;
  CHECK(check_checkpoint_signature(keys, c, m.archive_prefix, "k")->kind == ProblemKind::bad_signature);
}

TEST_CASE("verify_signed: an index object naming another archive") {
  Manifest m = manifest_with(1);
  nlohmann::json idx = {{"archive_prefix", m.archive_prefix}, {"manifest", m.archive_prefix + "manifest.json"},
                        {"archive_id", "c"}, {"job_identity", nullptr}};
  CHECK(check_index(idx, m, m.archive_prefix + "manifest.json").empty());
  auto moved = idx;
  moved["archive_prefix"] = "pods/a/b/other/";
  CHECK(has(check_index(moved, m, m.archive_prefix + "manifest.json"), ProblemKind::index_mismatch));
  auto renamed = idx;
  renamed["archive_id"] = "other";
  CHECK(has(check_index(renamed, m, m.archive_prefix + "manifest.json"), ProblemKind::index_mismatch));
  m.job_identity = {{"repository", "octo/hello"}};
  CHECK(has(check_index(idx, m, m.archive_prefix + "manifest.json"), ProblemKind::index_mismatch));
}

TEST_CASE("verify_signed: a signed archive in a folder verifies; its cut tail does not") {
  archive_test::TempDir spool("sign-spool"), out("sign-out");
  const std::string prefix = "2026/12/01/c/";  // any layout: nothing assumes pods/
  write_signed(spool.path, out.path, prefix, 3000);
  auto keys = ring_of(k::ed_public_1);
  auto good = check(out.path, prefix, keys);
  CHECK(good.problems.empty());
  CHECK(good.signer == k::ed_key_id_1);
  REQUIRE(good.checkpoint);
  CHECK(good.checkpoint->final);
  CHECK(good.checkpoint_key == "checkpoints/" + prefix + "final.json");
  CHECK(has(check(out.path, prefix, ring_of(k::ed_public_2)).problems, ProblemKind::key_mismatch));

  // Cut: the manifest, its signature and the last two segments deleted.
  storage::LocalStore store(out.path);
  std::vector<std::string> segs;
  for (auto& o : store.list(prefix))
    if (parse_segment_name(o.key.substr(prefix.size()))) segs.push_back(o.key);
  REQUIRE(segs.size() >= 4);
  const std::string manifest = prefix + std::string(manifest_name);
  for (auto& key : {manifest, manifest + ".sig", segs[segs.size() - 1], segs[segs.size() - 2]})
    fs::remove(out.path / key);
  auto cut = check(out.path, prefix, keys);
  CHECK(has(cut.problems, ProblemKind::tail_cut));
  fs::remove(out.path / ("checkpoints/" + prefix + "final.json"));  // also the final checkpoint
  CHECK(has(check(out.path, prefix, keys).problems, ProblemKind::tail_cut));
}

TEST_CASE("verify_signed: a writer without a key records why in meta.signing") {
  archive_test::TempDir spool("sign-spool"), out("sign-out");
  WriterOptions o;
  o.spool_dir = spool.path;
  o.unsigned_reason = "signing key not loaded: not a PEM private key";
  Writer w(o, std::make_shared<storage::LocalStore>(out.path), "", {});
  auto ev = archive_test::make_event(0);
  w.append(ev);
  w.finish(true, "", std::chrono::steady_clock::now() + std::chrono::seconds(20));
  storage::LocalStore store(out.path);
  auto rep = verify_archive(store, "");
  REQUIRE(rep.manifest);
  CHECK(rep.manifest->meta["signing"] == nlohmann::json{{"signed", false}, {"reason", o.unsigned_reason}});
  auto sig = verify_signatures(store, "", rep, {&store, ""}, ring_of(k::ed_public_1));
  REQUIRE(has(sig.problems, ProblemKind::not_signed));
  CHECK(sig.problems.front().message.find("not a PEM private key") != std::string::npos);
  CHECK_FALSE(fs::exists(out.path / "checkpoints"));
}

TEST_CASE("verify_signed: a writer that resumes an unsigned writer's spool signs the whole chain") {
  archive_test::TempDir spool("sign-spool"), out("sign-out");
  auto store = std::make_shared<storage::LocalStore>(out.path);
  WriterOptions o;
  o.spool_dir = spool.path;
  o.segment_max_bytes = 4 << 10;
  {
    Writer crashed(o, store, "p/", {{"pod", {{"uid", "c"}}}});  // no key, never finished
    for (std::uint64_t i = 0; i < 2000; ++i) {
      auto ev = archive_test::make_event(i);
      crashed.append(ev);
    }
  }
  o.signing_key = std::make_shared<const sign::PrivateKey>(sign::PrivateKey::from_pem(k::ed_private_1));
  Writer w(o, store, "p/", {{"pod", {{"uid", "c"}}}});
  for (std::uint64_t i = 2000; i < 3000; ++i) {
    auto ev = archive_test::make_event(i);
    w.append(ev);
  }
  REQUIRE(w.finish(true, "", std::chrono::steady_clock::now() + std::chrono::seconds(20)).not_uploaded.empty());
  auto rep = check(out.path, "p/", ring_of(k::ed_public_1));
  CHECK(rep.signer == k::ed_key_id_1);
  CHECK_FALSE(has(rep.problems, ProblemKind::not_signed));
  CHECK_FALSE(has(rep.problems, ProblemKind::bad_signature));
  REQUIRE(rep.checkpoint);
  CHECK(rep.checkpoint->final);
}
