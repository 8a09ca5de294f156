// Spools of dead sidecars on the node: finished by another sidecar with exact counts and the
// "finished by" reason, never when the owner is alive, and every folder treated as hostile input.
#include <doctest/doctest.h>

#include <unistd.h>

#include <chrono>
#include <fstream>

#include "test_support.hpp"
#include "trail/archive/orphan_spool.hpp"
#include "trail/archive/reader.hpp"
#include "trail/archive/spool_lock.hpp"
#include "trail/archive/verify.hpp"
#include "trail/archive/writer.hpp"

using namespace jobtrail::archive;
using archive_test::FlakyStore;
using archive_test::make_event;
using archive_test::TempDir;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {
WriterOptions options(const fs::path& spool) {
  WriterOptions o;
  o.spool_dir = spool;
  o.segment_max_bytes = 16 << 10;
  o.retry_base = 5ms;
  o.retry_max = 50ms;
  return o;
}

const std::string uid = "0b9f7a52-6d0e-4a43-9a4e-3f1c2b1e9d01";
const std::string prefix = "pods/ci/runner-a/" + uid + "/";

// A sidecar that recorded `n` events while the store was away and died at its deadline.
void dead_owner(const fs::path& root, const std::shared_ptr<FlakyStore>& store, std::uint64_t n) {
  auto lock = SpoolLock::own(root / uid, 1s);
  REQUIRE(lock.held());
  store->down = true;
  Writer w(options(root / uid), store, prefix, {{"pod", {{"uid", uid}, {"name", "runner-a"}}}});
  for (std::uint64_t i = 0; i < n; ++i) {
    auto ev = make_event(i);
    w.append(ev);
  }
  auto r = w.finish(true, "", std::chrono::steady_clock::now() + 300ms);
  REQUIRE_FALSE(r.not_uploaded.empty());
  store->down = false;
}  // the lock goes with the process

OrphanSweep sweep_of(const fs::path& root, const fs::path& staging) {
  OrphanSweep s;
  s.root = root;
  s.own_name = "own-pod-uid";
  s.finisher = "ci/runner-b";
  s.staging = staging;
  s.grace = 0s;
  s.budget = 5000ms;
  s.writer = options(staging);
  return s;
}

fs::path archive_dir(const fs::path& root) {
  for (auto& f : fs::directory_iterator(root / uid))
    if (f.is_directory()) return f.path();
  FAIL("no archive folder");
  return {};
}
}  // namespace

TEST_CASE("an orphaned spool is finished with exact counts and the finished-by reason, then removed") {
  TempDir root("root"), out("out"), staging("staging");
  auto store = std::make_shared<FlakyStore>(out.path);
  dead_owner(root.path, store, 9000);
  auto rep = sweep_orphans(sweep_of(root.path, staging.path), store);
  CHECK(rep.finished == 1);
  CHECK(rep.skipped == 0);
  CHECK_FALSE(fs::exists(root.path / uid));
  auto v = verify_archive(*store, prefix);
  REQUIRE(v.manifest);
  CHECK_FALSE(v.manifest->complete);
  CHECK(v.manifest->incomplete_reason == "finished by ci/runner-b after owner died");
  CHECK(v.manifest->events == 9000);
  CHECK(v.manifest->meta["pod"]["name"] == "runner-a");  // the owner's meta, not the finisher's
  CHECK_FALSE(v.has(ProblemKind::segment_missing));
  CHECK_FALSE(v.has(ProblemKind::seq_gap));
  CHECK(v.verdict() == Verdict::incomplete);
  std::uint64_t next = 0;
  Reader r(store, prefix);
  r.for_each_event([&](const nlohmann::json& ev) {
    REQUIRE(ev["seq"] == next);
    ++next;
    return true;
  });
  CHECK(next == 9000);
}

TEST_CASE("a folder whose owner is alive or active within the grace time is left alone") {
  TempDir root("root"), out("out"), staging("staging");
  auto store = std::make_shared<FlakyStore>(out.path);
  dead_owner(root.path, store, 3000);
  {
    auto alive = SpoolLock::own(root.path / uid, 1s);  // its sidecar restarted and holds it again
    auto rep = sweep_orphans(sweep_of(root.path, staging.path), store);
    CHECK(rep.alive == 1);
    CHECK(rep.finished == 0);
  }
  auto s = sweep_of(root.path, staging.path);
  s.grace = 3600s;  // it wrote just now
  auto rep = sweep_orphans(s, store);
  CHECK(rep.alive == 1);
  CHECK(fs::exists(root.path / uid));
  CHECK(store->list(prefix).empty());
}

TEST_CASE("hostile spool folders are skipped with a reason and nothing outside them is read") {
  TempDir root("root"), out("out"), staging("staging"), elsewhere("elsewhere");
  auto store = std::make_shared<FlakyStore>(out.path);
  std::ofstream(elsewhere.path / "secret") << "host secret";
  SUBCASE("a segment that is a symlink") {
    dead_owner(root.path, store, 3000);
    auto dir = archive_dir(root.path);
    fs::remove(dir / "events-000000.jsonl.zst");
    fs::create_symlink(elsewhere.path / "secret", dir / "events-000000.jsonl.zst");
    auto rep = sweep_orphans(sweep_of(root.path, staging.path), store);
    CHECK(rep.skipped == 1);
    CHECK(rep.reasons.at(0).find("symlink") != std::string::npos);
  }
  SUBCASE("the pod folder itself is a symlink") {
    fs::create_directories(elsewhere.path / "x");
    fs::create_symlink(elsewhere.path / "x", root.path / uid);
    auto rep = sweep_orphans(sweep_of(root.path, staging.path), store);
    CHECK(rep.skipped == 1);
    CHECK(fs::exists(elsewhere.path / "x"));
  }
  SUBCASE("a journal naming another store or another folder") {
    dead_owner(root.path, store, 3000);
    auto dir = archive_dir(root.path);
    auto other = root.path / "1d1d1d1d-0000-4000-8000-000000000000";
    fs::create_directories(other);
    fs::copy(root.path / uid, other, fs::copy_options::recursive);  // the same journal, another name
    auto rep = sweep_orphans(sweep_of(root.path, staging.path), store);
    CHECK(rep.finished == 1);  // the real one
    CHECK(rep.skipped == 1);
    CHECK(rep.reasons.at(0).find("folder") != std::string::npos);
  }
  SUBCASE("a garbage journal, an oversized one, and a bad folder name") {
    dead_owner(root.path, store, 3000);
    auto dir = archive_dir(root.path);
    {
      std::ofstream j(dir / "journal.jsonl", std::ios::trunc);
      j << "{\"t\":\"archive\",\"store\":7}\n\x01\x02{{{{\n";
    }
    fs::create_directories(root.path / "bad name!");
    auto rep = sweep_orphans(sweep_of(root.path, staging.path), store);
    CHECK(rep.skipped == 2);
    {
      std::ofstream j(dir / "journal.jsonl", std::ios::trunc);
      j << std::string(17 << 20, 'x');
    }
    rep = sweep_orphans(sweep_of(root.path, staging.path), store);
    bool too_big = false;
    for (auto& r : rep.reasons) too_big |= r.find("journal.jsonl: more than") != std::string::npos;
    CHECK(too_big);
  }
  for (auto& o : store->list("")) CHECK_MESSAGE(store->get(o.key).find("host secret") == std::string::npos, o.key);
}

TEST_CASE("an orphan whose segment the store refuses is finished once, not retried at every sweep") {
  TempDir root("root"), out("out"), staging("staging");
  auto store = std::make_shared<FlakyStore>(out.path);
  dead_owner(root.path, store, 9000);
  store->failing_key = "events-000001";
  auto rep = sweep_orphans(sweep_of(root.path, staging.path), store);
  CHECK(rep.finished == 1);
  CHECK(rep.left == 0);
  CHECK_FALSE(fs::exists(root.path / uid));
  auto v = verify_archive(*store, prefix);
  REQUIRE(v.manifest);
  REQUIRE(v.manifest->failed_objects.size() == 1);
  CHECK(v.manifest->failed_objects[0].key == prefix + "events-000001.jsonl.zst");
  CHECK(v.manifest->incomplete_reason.find("finished by ci/runner-b after owner died") == 0);
  CHECK(v.manifest->incomplete_reason.find("given up") != std::string::npos);
}
