// Local-folder round trips through the real Writer, Reader and verifier, and the verifier
// on real damage: a flipped byte, a deleted segment, a reordered manifest entry.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>

#include "test_support.hpp"
#include "trail/archive/layout.hpp"
#include "trail/archive/reader.hpp"
#include "trail/archive/verify.hpp"
#include "trail/archive/writer.hpp"
#include "trail/text/exact_bytes.hpp"

using namespace jobtrail::archive;
using archive_test::make_event;
using archive_test::TempDir;
using clock_type = std::chrono::steady_clock;
namespace fs = std::filesystem;

namespace {
WriterOptions small_segments(const fs::path& spool) {
  WriterOptions o;
  o.spool_dir = spool;
  o.segment_max_bytes = 16 << 10;
  o.retry_base = std::chrono::milliseconds(5);
  return o;
}

// Writes `n` events into store `out` (archive prefix ""), finishes, returns the result.
Writer::FinishResult record(const fs::path& spool, const fs::path& out, std::uint64_t n) {
  Writer w(small_segments(spool), std::make_shared<jobtrail::storage::LocalStore>(out), "", {{"pod", {{"uid", "uid-1"}}}});
  for (std::uint64_t i = 0; i < n; ++i) {
    auto ev = make_event(i);
    w.append(ev);
  }
  w.set_job_identity({{"repository", "octo/hello"}, {"run_id", "42"}, {"run_attempt", "1"}, {"job", "build"}});
  return w.finish(true, "", clock_type::now() + std::chrono::seconds(20));
}

void flip_byte(const fs::path& p) {
  std::fstream f(p, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(fs::file_size(p) / 2));
  char c = 0;
  f.read(&c, 1);
  c ^= 0x20;
  f.seekp(static_cast<std::streamoff>(fs::file_size(p) / 2));
  f.write(&c, 1);
}

std::vector<ProblemKind> kinds(const VerifyReport& r) {
  std::vector<ProblemKind> k;
  for (auto& p : r.problems) k.push_back(p.kind);
  return k;
}
}  // namespace

TEST_CASE("100k events round-trip through a folder store: every event once, in order, verified") {
  TempDir spool("spool"), out("out");
  WriterOptions o = small_segments(spool.path);
  o.segment_max_bytes = 256 << 10;
  auto store = std::make_shared<jobtrail::storage::LocalStore>(out.path);
  Writer w(o, store, "events/dt=2026-11-29/ns/pod-a/uid-7/", {{"pod", {{"uid", "uid-7"}, {"name", "pod-a"}}}});
  auto t0 = clock_type::now();
  for (std::uint64_t i = 0; i < 100000; ++i) {
    auto ev = make_event(i);
    REQUIRE(w.append(ev) == i);
    REQUIRE(ev["seq"] == i);
  }
  auto secs = std::chrono::duration<double>(clock_type::now() - t0).count();
  MESSAGE("append: " << 100000 / secs << " events/s");
  w.set_job_identity({{"repository", "octo/hello"}, {"run_id", "42"}, {"run_attempt", "3"}, {"job", "build"}});
  w.add_lost("file_open", 0);
  auto res = w.finish(true, "", clock_type::now() + std::chrono::seconds(20));
  CHECK(res.complete);
  CHECK(res.not_uploaded.empty());
  auto st = w.stats();
  CHECK(st.events == 100000);
  CHECK(st.segments_uploaded == st.segments_spooled);
  CHECK(st.segments_spooled > 1);
  CHECK(st.spool_bytes == 0);

  auto rep = verify_archive(*store, "events/dt=2026-11-29/ns/pod-a/uid-7/");
  for (auto& p : rep.problems) MESSAGE(p.message);
  CHECK(rep.problems.empty());
  CHECK(rep.verdict() == Verdict::ok);
  CHECK(rep.events_checked == 100000);
  CHECK(rep.manifest->complete);
  CHECK(rep.manifest->event_counts.at("process_exec") == 25000);

  Reader reader(store, "events/dt=2026-11-29/ns/pod-a/uid-7/");
  std::uint64_t next = 0;
  reader.for_each_event([&](const nlohmann::json& ev) {
    REQUIRE(ev["seq"] == next);
    REQUIRE(ev["process"]["args"][2] == std::to_string(next));
    ++next;
    return true;
  });
  CHECK(next == 100000);
  CHECK(reader.problems().empty());

  // The index object lives at the store root and points at the archive.
  auto index = nlohmann::json::parse(store->get("jobs/octo/hello/42/3/build/uid-7.json"));
  CHECK(index["archive_prefix"] == "events/dt=2026-11-29/ns/pod-a/uid-7/");
  CHECK(index["manifest"] == "events/dt=2026-11-29/ns/pod-a/uid-7/_manifest.json");
  CHECK(index["layout_version"] == 2);
  // The spool is emptied once everything is in the store.
  CHECK(fs::is_empty(spool.path));
}

TEST_CASE("open_archive reads a plain folder and a file:// URL alike") {
  TempDir spool("spool"), out("out");
  REQUIRE(record(spool.path, out.path, 1000).complete);
  for (auto where : {out.path.string(), "file://" + out.path.string(), out.path.string() + "/_manifest.json"}) {
    Reader r(open_archive(where));
    std::uint64_t n = 0;
    r.for_each_line([&](std::string_view) { return ++n, true; });
    CHECK(n == 1000);
    REQUIRE(r.manifest());
    CHECK(r.manifest()->events == 1000);
  }
}

TEST_CASE("an archive of layout 1 (pods/..., manifest.json) is still read and verified") {
  TempDir spool("spool"), out("out");
  auto store = std::make_shared<jobtrail::storage::LocalStore>(out.path);
  const std::string prefix = "pods/ns/pod-a/uid-1/";
  {
    Writer w(small_segments(spool.path), store, prefix, {{"pod", {{"uid", "uid-1"}}}});
    for (std::uint64_t i = 0; i < 3000; ++i) {
      auto ev = make_event(i);
      w.append(ev);
    }
    REQUIRE(w.finish(true, "", clock_type::now() + std::chrono::seconds(20)).complete);
  }
  // What a writer before layout 2 left: the manifest under its old name, without the key.
  auto m = nlohmann::json::parse(store->get(prefix + "_manifest.json"));
  m.erase("layout_version");
  fs::remove(out.path / prefix / "_manifest.json");
  store->put_new(prefix + "manifest.json", m.dump(1), "application/json");

  auto rep = verify_archive(*store, prefix);
  for (auto& p : rep.problems) MESSAGE(p.message);
  CHECK(rep.problems.empty());
  CHECK(rep.events_checked == 3000);
  REQUIRE(rep.manifest);
  CHECK(rep.manifest->layout_version == 1);
  Reader r(open_archive((out.path / prefix / "manifest.json").string()));
  REQUIRE(r.manifest());
  std::uint64_t n = 0;
  r.for_each_line([&](std::string_view) { return ++n, true; });
  CHECK(n == 3000);
}

TEST_CASE("a restarted writer finds the prefix its spool was started with, whatever the date is now") {
  TempDir spool("spool"), out("out");
  auto store = std::make_shared<jobtrail::storage::LocalStore>(out.path);
  const auto first = archive_prefix("ns", "pod-a", "uid-3", "2026-11-30T23:59:59Z");
  CHECK(spooled_archive_prefix(spool.path, store->url()).empty());  // nothing spooled yet
  {
    Writer w(small_segments(spool.path), store, first, {{"pod", {{"uid", "uid-3"}}}});
    auto ev = make_event(0);
    w.append(ev);
  }  // the sidecar died: no finish, the spool stays
  CHECK(spooled_archive_prefix(spool.path, store->url()) == first);
  CHECK(spooled_archive_prefix(spool.path, "file:///elsewhere").empty());  // another store's spool is not ours
  Writer again(small_segments(spool.path), store, spooled_archive_prefix(spool.path, store->url()), {{"pod", {{"uid", "uid-3"}}}});
  auto ev = make_event(1);
  CHECK(again.append(ev) == 1);  // the trail goes on where the first writer left it
  REQUIRE(again.finish(true, "", clock_type::now() + std::chrono::seconds(20)).complete);
  auto rep = verify_archive(*store, first);
  CHECK(rep.events_checked == 2);
}

TEST_CASE("the job's summary row goes under summaries/dt=<start date>/ at finish, once") {
  TempDir spool("spool"), out("out");
  auto store = std::make_shared<jobtrail::storage::LocalStore>(out.path);
  Writer w(small_segments(spool.path), store, archive_prefix("ns", "pod-a", "uid-9", "2026-12-01"),
           {{"pod", {{"uid", "uid-9"}, {"name", "pod-a"}, {"namespace", "ns"}}}});
  for (std::uint64_t i = 0; i < 100; ++i) {
    auto ev = make_event(i);
    w.append(ev);
  }
  int calls = 0;
  w.set_job_row([&](const Manifest& m) {
    ++calls;
    return nlohmann::json{{"archive_id", m.archive_id}, {"events", m.events}, {"complete", m.complete}};
  });
  auto res = w.finish(true, "", clock_type::now() + std::chrono::seconds(20));
  REQUIRE(res.complete);
  CHECK(calls == 1);
  auto man = manifest_from_json(nlohmann::json::parse(store->get(w.archive_prefix() + "_manifest.json")));
  auto text = store->get(summary_key("uid-9", man.started_at));
  CHECK(text.back() == '\n');
  CHECK(std::count(text.begin(), text.end(), '\n') == 1);
  auto row = nlohmann::json::parse(text);
  CHECK(row["archive_id"] == "uid-9");
  CHECK(row["events"] == 100);
  CHECK(row["complete"] == true);
}

TEST_CASE("a flipped byte, a deleted segment and a reordered entry are each reported distinctly") {
  TempDir spool("spool"), a("flip"), b("del"), c("reorder");
  for (auto* d : {&a, &b, &c}) REQUIRE(record(spool.path, d->path, 20000).complete);
  REQUIRE(fs::exists(a.path / segment_name(2)));

  flip_byte(a.path / segment_name(1));
  auto ra = verify_archive(*std::make_shared<jobtrail::storage::LocalStore>(a.path), "");
  CHECK(kinds(ra) == std::vector{ProblemKind::sha_mismatch});
  CHECK(ra.problems[0].segment == segment_name(1));
  CHECK(ra.verdict() == Verdict::tampered);

  fs::remove(b.path / segment_name(2));
  auto rb = verify_archive(*std::make_shared<jobtrail::storage::LocalStore>(b.path), "");
  CHECK(kinds(rb) == std::vector{ProblemKind::segment_missing});
  CHECK(rb.problems[0].segment == segment_name(2));

  auto mpath = c.path / "_manifest.json";
  auto m = nlohmann::json::parse(std::ifstream(mpath));
  std::swap(m["segments"][1], m["segments"][2]);
  fs::remove(mpath);
  std::ofstream(mpath) << m.dump(1);
  auto rc = verify_archive(*std::make_shared<jobtrail::storage::LocalStore>(c.path), "");
  REQUIRE(!rc.problems.empty());
  CHECK(rc.has(ProblemKind::reordered));
  CHECK_FALSE(rc.has(ProblemKind::sha_mismatch));
  CHECK_FALSE(rc.has(ProblemKind::segment_missing));
}

TEST_CASE("lost events are recorded in the manifest and reported as such") {
  TempDir spool("spool"), out("out");
  {
    Writer w(small_segments(spool.path), std::make_shared<jobtrail::storage::LocalStore>(out.path), "", {});
    for (int i = 0; i < 10; ++i) {
      auto ev = make_event(i);
      w.append(ev);
    }
    w.add_lost("process_exec", 7);
    CHECK(w.finish(true, "", clock_type::now() + std::chrono::seconds(5)).complete);
  }
  auto rep = verify_archive(*std::make_shared<jobtrail::storage::LocalStore>(out.path), "");
  CHECK(kinds(rep) == std::vector{ProblemKind::lost_events});
  CHECK(rep.verdict() == Verdict::lost_events);
  CHECK(rep.manifest->lost.at("process_exec") == 7);
}

TEST_CASE("without a manifest the verifier says so and still checks the segments present") {
  TempDir spool("spool"), out("out");
  REQUIRE(record(spool.path, out.path, 5000).complete);
  fs::remove(out.path / "_manifest.json");
  auto rep = verify_archive(*std::make_shared<jobtrail::storage::LocalStore>(out.path), "");
  CHECK(kinds(rep) == std::vector{ProblemKind::manifest_missing});
  CHECK(rep.events_checked == 5000);
}

TEST_CASE("a manifest too large for memory, or a FIFO in its place, is a clear error: no read into memory, no hang") {
  TempDir spool("spool"), out("out");
  REQUIRE(record(spool.path, out.path, 10).complete);
  jobtrail::storage::LocalStore store(out.path);
  const auto manifest = out.path / "_manifest.json";
  fs::resize_file(manifest, jobtrail::storage::max_get_bytes + 1);  // sparse: no disk used
  auto code_of = [&] {
    try {
      (void)read_manifest_body(store, "");
    } catch (const jobtrail::storage::StoreError& e) {
      return e.code();
    }
    return std::string("no error");
  };
  CHECK(code_of() == "TooLarge");
  fs::resize_file(manifest, jobtrail::storage::max_get_bytes);  // at the bound: read
  CHECK(read_manifest_body(store, "")->size() == jobtrail::storage::max_get_bytes);
  fs::remove(manifest);
  REQUIRE(::mkfifo(manifest.c_str(), 0600) == 0);  // nobody writes it: opening it would block
  CHECK(code_of() == "IOError");
}

TEST_CASE("bytes that are not UTF-8 keep their exact value in the archive (schema version 2)") {
  TempDir spool("spool"), out("out");
  const std::string argv1 = "\xff\xfe", path = "/tmp/\x1b[8mhidden\x1b[0m\xc0\xaf";
  {
    Writer w(small_segments(spool.path), std::make_shared<jobtrail::storage::LocalStore>(out.path), "", {});
    nlohmann::json exec = {{"type", "process_exec"}, {"process", {{"binary", "/bin/echo"}, {"args", {"echo", argv1}}}}};
    nlohmann::json open = {{"type", "file_open"}, {"file", {{"path", path}, {"result", "ok"}}}};
    w.append(exec);
    w.append(open);
    REQUIRE(w.finish(true, "", clock_type::now() + std::chrono::seconds(20)).complete);
  }
  Reader r(open_archive(out.path.string()));
  REQUIRE(r.manifest());
  CHECK(r.manifest()->schema_version == event_schema_version);
  std::vector<nlohmann::json> events;
  r.for_each_event([&](const nlohmann::json& ev) { return events.push_back(ev), true; });
  REQUIRE(events.size() == 2);
  CHECK(events[0]["invalid_utf8"] == true);
  CHECK(jobtrail::text::exact_strings(events[0]["process"], "args") == std::vector<std::string>{"echo", argv1});
  CHECK(events[0]["process"]["args"][1] == "\xef\xbf\xbd\xef\xbf\xbd");
  CHECK(jobtrail::text::exact_string(events[1]["file"], "path") == std::optional<std::string>(path));
  CHECK_FALSE(events[1]["file"].contains("result_b64"));
}
