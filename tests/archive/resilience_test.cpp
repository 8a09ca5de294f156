// The writer against a failing store: retries, lost replies, the flush deadline, a restart
// that resumes the spool, and the spool bound.
#include <doctest/doctest.h>

#include <chrono>
#include <set>

#include "test_support.hpp"
#include "trail/archive/reader.hpp"
#include "trail/archive/verify.hpp"
#include "trail/archive/writer.hpp"

using namespace jobtrail::archive;
using archive_test::FlakyStore;
using archive_test::make_event;
using archive_test::TempDir;
using clock_type = std::chrono::steady_clock;
namespace fs = std::filesystem;

namespace {
WriterOptions options(const fs::path& spool) {
  WriterOptions o;
  o.spool_dir = spool;
  o.segment_max_bytes = 32 << 10;
  o.retry_base = std::chrono::milliseconds(5);
  o.retry_max = std::chrono::milliseconds(50);
  return o;
}

void append_range(Writer& w, std::uint64_t from, std::uint64_t to) {
  for (auto i = from; i < to; ++i) {
    auto ev = make_event(i);
    w.append(ev);
  }
}

// Every seq exactly once, 0..n-1, in order.
void check_events(const std::shared_ptr<jobtrail::storage::Store>& store, std::uint64_t n) {
  Reader r(store, "");
  std::uint64_t next = 0;
  r.for_each_event([&](const nlohmann::json& ev) {
    REQUIRE(ev["seq"] == next);
    ++next;
    return true;
  });
  CHECK(next == n);
}
}  // namespace

TEST_CASE("a store that fails N times still gets everything, once") {
  TempDir spool("spool"), out("out");
  auto store = std::make_shared<FlakyStore>(out.path);
  store->fail_first = 6;
  Writer w(options(spool.path), store, "", {});
  append_range(w, 0, 20000);
  auto res = w.finish(true, "", clock_type::now() + std::chrono::seconds(20));
  CHECK(res.complete);
  CHECK(store->failures >= 6);
  CHECK(w.stats().upload_retries >= 6);
  CHECK(w.stats().last_error.find("SlowDown") != std::string::npos);
  auto rep = verify_archive(*store, "");
  CHECK(rep.problems.empty());
  check_events(store, 20000);
}

TEST_CASE("an upload that landed but whose reply was lost is not duplicated") {
  TempDir spool("spool"), out("out");
  auto store = std::make_shared<FlakyStore>(out.path);
  store->land_then_fail = true;
  Writer w(options(spool.path), store, "", {});
  append_range(w, 0, 5000);
  auto res = w.finish(true, "", clock_type::now() + std::chrono::seconds(20));
  CHECK(res.complete);
  CHECK(store->failures == 1);
  auto rep = verify_archive(*store, "");
  CHECK(rep.problems.empty());
  // One object per manifest entry: nothing uploaded twice under another name.
  std::size_t objects = 0;
  for (auto& o : store->list(""))
    if (parse_segment_name(o.key)) ++objects;
  CHECK(objects == rep.manifest->segments.size());
  check_events(store, 5000);
}

TEST_CASE("when the deadline passes the manifest says complete:false and names what is missing") {
  TempDir spool("spool"), out("out");
  auto store = std::make_shared<FlakyStore>(out.path);
  store->segments_down = true;
  Writer w(options(spool.path), store, "", {});
  append_range(w, 0, 10000);
  auto start = clock_type::now();
  auto res = w.finish(true, "", start + std::chrono::milliseconds(1500));
  CHECK(clock_type::now() - start < std::chrono::seconds(3));
  CHECK_FALSE(res.complete);
  CHECK(res.reason.find("flush deadline") != std::string::npos);
  REQUIRE(!res.not_uploaded.empty());
  auto rep = verify_archive(*store, "");
  REQUIRE(rep.manifest);
  CHECK_FALSE(rep.manifest->complete);
  CHECK(rep.manifest->not_uploaded == res.not_uploaded);
  CHECK(rep.manifest->not_uploaded.size() == rep.manifest->segments.size());
  CHECK(rep.has(ProblemKind::segment_not_uploaded));
  CHECK(rep.has(ProblemKind::incomplete));
  CHECK_FALSE(rep.has(ProblemKind::segment_missing));
  CHECK(rep.verdict() == Verdict::incomplete);
  // The segments stay in the spool for a later writer.
  std::size_t kept = 0;
  for (auto& f : fs::recursive_directory_iterator(spool.path))
    if (parse_segment_name(f.path().filename().string())) ++kept;
  CHECK(kept == res.not_uploaded.size());
}

TEST_CASE("the flush deadline reaches an upload retrying inside the store / is lifted after finish") {
  TempDir spool("spool"), out("out");
  auto store = std::make_shared<FlakyStore>(out.path);
  store->segments_retry_long = true;
  Writer w(options(spool.path), store, "", {});
  append_range(w, 0, 5000);
  auto start = clock_type::now();
  auto res = w.finish(true, "", start + std::chrono::milliseconds(1000));
  auto took = clock_type::now() - start;
  MESSAGE("finish took " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                         << " ms for a 1000 ms deadline");
  CHECK(took < std::chrono::milliseconds(1500));  // not the 10 s the upload in flight would retry
  CHECK_FALSE(res.complete);
  CHECK(res.reason.find("flush deadline") != std::string::npos);
  auto rep = verify_archive(*store, "");
  REQUIRE(rep.manifest);
  CHECK(rep.manifest->not_uploaded == res.not_uploaded);
  CHECK(rep.manifest->not_uploaded.size() == rep.manifest->segments.size());
  CHECK(store->deadline.load() == clock_type::time_point::max());  // the caller may use the store on
}

TEST_CASE("a writer restarted on a spool with leftovers resumes them and continues the trail") {
  TempDir spool("spool"), out("out");
  auto store = std::make_shared<FlakyStore>(out.path);
  store->segments_down = true;
  {
    Writer crashed(options(spool.path), store, "", {});
    append_range(crashed, 0, 7000);  // several sealed segments + an open one, never finished
    crashed.tick(clock_type::now() + std::chrono::seconds(2));  // flush the open segment
  }
  store->segments_down = false;
  Writer w(options(spool.path), store, "", {});
  CHECK(w.stats().segments_resumed > 0);
  // The open segment was salvaged, so the trail continues right after the last event.
  auto ev = make_event(7000);
  CHECK(w.append(ev) == 7000);
  append_range(w, 7001, 9000);
  auto res = w.finish(true, "", clock_type::now() + std::chrono::seconds(20));
  CHECK(res.complete);
  auto rep = verify_archive(*store, "");
  for (auto& p : rep.problems) MESSAGE(p.message);
  // The restart itself is the only finding: nothing missing, altered or out of order.
  REQUIRE(rep.problems.size() == 1);
  CHECK(rep.problems[0].kind == ProblemKind::writer_restarted);
  CHECK(rep.verdict() == Verdict::incomplete);
  CHECK(rep.manifest->resumed.size() == 1);
  CHECK(rep.manifest->resumed[0]["salvaged_events"].get<std::uint64_t>() > 0);
  check_events(store, 9000);
}

TEST_CASE("hitting the spool bound drops and counts events, never throws") {
  TempDir spool("spool"), out("out");
  auto store = std::make_shared<FlakyStore>(out.path);
  store->segments_down = true;
  auto o = options(spool.path);
  o.spool_max_bytes = 100 << 10;
  Writer w(o, store, "", {});
  std::uint64_t dropped = 0;
  for (std::uint64_t i = 0; i < 50000; ++i) {
    auto ev = make_event(i);
    if (w.append(ev) == Writer::dropped) ++dropped;
  }
  CHECK(dropped > 0);
  CHECK(w.stats().events_dropped == dropped);
  CHECK(w.stats().spool_full_hits == 1);
  store->segments_down = false;
  auto res = w.finish(true, "", clock_type::now() + std::chrono::seconds(20));
  CHECK(res.complete);
  auto rep = verify_archive(*store, "");
  CHECK(rep.verdict() == Verdict::lost_events);
  std::uint64_t lost = 0;
  for (auto& [t, n] : rep.manifest->lost) lost += n;
  CHECK(lost == dropped);
  CHECK(rep.manifest->spool_dropped == dropped);
  CHECK(rep.manifest->events + dropped == 50000);
}
