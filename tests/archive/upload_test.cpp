// One object that keeps failing must not hold up the rest: later segments and the index go on,
// the failing object backs off on its own, and one the store refuses is given up and reported
// in the trail, the stats and the manifest.
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include "test_support.hpp"
#include "trail/archive/reader.hpp"
#include "trail/archive/upload_policy.hpp"
#include "trail/archive/verify.hpp"
#include "trail/archive/writer.hpp"
#include "trail/events/types.hpp"

using namespace jobtrail::archive;
using archive_test::FlakyStore;
using archive_test::make_event;
using archive_test::TempDir;
using clock_type = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {
WriterOptions options(const std::filesystem::path& spool) {
  WriterOptions o;
  o.spool_dir = spool;
  o.segment_max_bytes = 16 << 10;
  o.retry_base = 5ms;
  o.retry_max = 50ms;
  return o;
}

void append_range(Writer& w, std::uint64_t from, std::uint64_t to) {
  for (auto i = from; i < to; ++i) {
    auto ev = make_event(i);
    w.append(ev);
  }
}

// Waits (bounded) until every sealed segment but `but` is in the store.
bool others_uploaded(const Writer& w, std::uint64_t but, std::chrono::milliseconds within) {
  auto until = clock_type::now() + within;
  while (clock_type::now() < until) {
    auto s = w.stats();
    if (s.segments_spooled > but && s.segments_uploaded == s.segments_spooled - but) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}
}  // namespace

TEST_CASE("give-up rules: refused objects after a few attempts and failing ones only while others go through") {
  UploadPolicy p;
  p.refused_attempts = 3;
  p.give_up_after = 10s;
  CHECK(classify_failure("AccessDenied", false) == FailureKind::refused);
  CHECK(classify_failure("KeyTooLongError", false) == FailureKind::refused);
  CHECK(classify_failure("SlowDown", true) == FailureKind::transient);
  CHECK(classify_failure("NetworkError", true) == FailureKind::transient);
  CHECK(classify_failure("OperationAborted", false) == FailureKind::transient);  // 409
  CHECK(classify_failure("Conflict", false) == FailureKind::transient);
  CHECK_FALSE(should_give_up({FailureKind::refused, 2, 1s, true}, p));
  CHECK(should_give_up({FailureKind::refused, 3, 1s, false}, p));
  // An outage: every object fails, so none is given up however long it lasts.
  CHECK_FALSE(should_give_up({FailureKind::transient, 0, 1h, false}, p));
  CHECK_FALSE(should_give_up({FailureKind::transient, 0, 9s, true}, p));
  CHECK(should_give_up({FailureKind::transient, 0, 10s, true}, p));
}

TEST_CASE("a segment the store refuses forever is given up while the later ones and the index go through") {
  TempDir spool("spool"), out("out");
  auto store = std::make_shared<FlakyStore>(out.path);
  store->failing_key = "events-000001";
  Writer w(options(spool.path), store, "", {});
  w.set_job_identity({{"repository", "octo/hello"}, {"run_id", "7"}, {"job", "build"}});
  append_range(w, 0, 20000);
  auto spooled = w.stats().segments_spooled;
  REQUIRE(spooled >= 4);
  // In bounded time while the job runs, not at finish: the refusal holds up nothing.
  CHECK(others_uploaded(w, 1, 5000ms));
  CHECK(w.stats().objects_given_up == 1);
  auto res = w.finish(true, "", clock_type::now() + 10s);
  CHECK_FALSE(res.complete);
  CHECK(res.reason.find("given up") != std::string::npos);
  CHECK(res.not_uploaded == std::vector<std::string>{"events-000001.jsonl.zst"});
  auto rep = verify_archive(*store, "");
  REQUIRE(rep.manifest);
  CHECK_FALSE(rep.manifest->complete);
  REQUIRE(rep.manifest->failed_objects.size() == 1);
  const auto& f = rep.manifest->failed_objects[0];
  CHECK(f.key == "events-000001.jsonl.zst");
  CHECK(f.attempts == 3);
  CHECK(f.error.find("AccessDenied") != std::string::npos);
  CHECK(rep.has(ProblemKind::segment_not_uploaded));
  CHECK_FALSE(rep.has(ProblemKind::segment_missing));
  CHECK(rep.verdict() == Verdict::incomplete);
  // The index object made it.
  CHECK(store->list("jobs/").size() == 1);
  // The trail says so too: one lost event naming the object and counting its events.
  std::uint64_t refused_events = 0;
  for (auto& e : rep.manifest->segments)
    if (e.name == "events-000001.jsonl.zst") refused_events = e.events;
  int found = 0;
  Reader r(store, "");
  r.for_each_event([&](const nlohmann::json& ev) {
    if (ev.value("lost_type", "") == jobtrail::events::lost_type::upload_given_up) {
      ++found;
      CHECK(ev["type"] == "lost");
      CHECK(ev["object"] == "events-000001.jsonl.zst");
      CHECK(ev["count"] == refused_events);
    }
    return true;
  });
  CHECK(found == 1);
}

TEST_CASE("a segment failing transiently forever backs off alone while the others upload and the deadline names it") {
  TempDir spool("spool"), out("out");
  auto store = std::make_shared<FlakyStore>(out.path);
  store->failing_key = "events-000000";
  store->key_fails_transiently = true;
  Writer w(options(spool.path), store, "", {});
  append_range(w, 0, 20000);
  CHECK(others_uploaded(w, 1, 5000ms));
  CHECK(w.stats().objects_given_up == 0);  // give_up_after is 10 min by default
  auto res = w.finish(true, "", clock_type::now() + 1500ms);
  CHECK_FALSE(res.complete);
  CHECK(res.reason.find("flush deadline") != std::string::npos);
  CHECK(res.not_uploaded == std::vector<std::string>{"events-000000.jsonl.zst"});
}

TEST_CASE("a segment failing while the store takes the others is given up after give_up_after") {
  TempDir spool("spool"), out("out");
  auto store = std::make_shared<FlakyStore>(out.path);
  store->failing_key = "events-000000";
  store->key_fails_transiently = true;
  auto o = options(spool.path);
  o.upload_policy.give_up_after = 300ms;
  Writer w(o, store, "", {});
  append_range(w, 0, 20000);
  CHECK(others_uploaded(w, 1, 5000ms));
  auto until = clock_type::now() + 5s;
  while (w.stats().objects_given_up == 0 && clock_type::now() < until) std::this_thread::sleep_for(10ms);
  CHECK(w.stats().objects_given_up == 1);
  auto res = w.finish(true, "", clock_type::now() + 5s);
  CHECK_FALSE(res.complete);
  auto rep = verify_archive(*store, "");
  REQUIRE(rep.manifest);
  REQUIRE(rep.manifest->failed_objects.size() == 1);
  CHECK(rep.manifest->failed_objects[0].error.find("SlowDown") != std::string::npos);
  CHECK(rep.manifest->failed_objects[0].attempts >= 2);
}
