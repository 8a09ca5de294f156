// Pure parts of the archive format: names, the hash chain, the verifier's checks, index keys.
#include <doctest/doctest.h>

#include "trail/archive/layout.hpp"
#include "trail/archive/manifest.hpp"
#include "trail/archive/verify.hpp"
#include "trail/storage/local_store.hpp"

using namespace jobtrail::archive;

namespace {
std::string sha256_of(int i) { return std::string(63, 'a') + std::to_string(i % 10); }

Manifest three_segments() {
  Manifest m;
  m.complete = true;
  std::uint64_t seq = 0;
  for (int i = 0; i < 3; ++i) {
    SegmentEntry e{segment_name(i), 100u + i, sha256_of(i), 10, seq, seq + 9, "", ""};
    chain_append(m.segments, e);
    seq += 10;
  }
  m.events = 30;
  m.event_counts = {{"process_exec", 30}};
  return m;
}
}  // namespace


TEST_CASE("segment names are numbered, zero-padded and parse back") {
  CHECK(segment_name(0) == "events-000000.jsonl.zst");
  CHECK(segment_name(1234567) == "events-1234567.jsonl.zst");
  CHECK(parse_segment_name("events-000042.jsonl.zst") == 42u);
  CHECK_FALSE(parse_segment_name("events-42.jsonl.zst"));
  CHECK_FALSE(parse_segment_name("events-00004x.jsonl.zst"));
  CHECK_FALSE(parse_segment_name("manifest.json"));
  CHECK_FALSE(parse_segment_name("events-000001.jsonl.zst.partial"));
}

TEST_CASE("the chain links each entry to the one before it") {
  auto m = three_segments();
  CHECK(m.segments[0].prev == genesis_hash());
  CHECK(m.segments[1].prev == m.segments[0].entry_hash);
  CHECK(m.segments[2].prev == m.segments[1].entry_hash);
  CHECK(m.segments[0].entry_hash != m.segments[1].entry_hash);
  CHECK(check_chain(m.segments).empty());
  CHECK(check_manifest(m).empty());
}

TEST_CASE("manifest JSON round-trips and refuses other format versions") {
  auto m = three_segments();
  m.lost = {{"file_open", 3}};
  auto j = to_json(m);
  CHECK(j["format_version"] == format_version);
  CHECK(j["chain_head"] == m.segments.back().entry_hash);
  auto back = manifest_from_json(j);
  CHECK(back.segments.size() == 3);
  CHECK(back.segments[2].entry_hash == m.segments[2].entry_hash);
  CHECK(back.lost.at("file_open") == 3);
  CHECK(j["schema_version"] == event_schema_version);
  CHECK(back.schema_version == event_schema_version);
  auto older = j;
  older.erase("schema_version");  // written before the key existed: schema 1
  CHECK(manifest_from_json(older).schema_version == 1);
  auto negative = j;  // json would wrap -1 into 2^64-1
  negative["lost"]["file_open"] = -1;
  CHECK_THROWS_AS(manifest_from_json(negative), std::runtime_error);
  negative = j;
  negative["events"] = -5;
  CHECK_THROWS_AS(manifest_from_json(negative), std::runtime_error);
  j["format_version"] = 99;
  CHECK_THROWS_WITH_AS(manifest_from_json(j), doctest::Contains("format_version 99"), std::runtime_error);
}

TEST_CASE("an altered entry breaks the chain") {
  auto m = three_segments();
  m.segments[1].size += 1;
  auto p = check_chain(m.segments);
  REQUIRE(p.size() == 1);
  CHECK(p[0].kind == ProblemKind::chain_broken);
  CHECK(p[0].segment == segment_name(1));
}

TEST_CASE("swapped entries are reported as reordered, not as altered") {
  auto m = three_segments();
  std::swap(m.segments[1], m.segments[2]);
  auto p = check_chain(m.segments);
  REQUIRE(!p.empty());
  for (auto& x : p) CHECK(x.kind == ProblemKind::reordered);
}

TEST_CASE("a removed entry is a broken chain and a seq gap") {
  auto m = three_segments();
  m.segments.erase(m.segments.begin() + 1);
  auto p = check_manifest(m);
  bool broken = false, gap = false;
  for (auto& x : p) {
    broken |= x.kind == ProblemKind::chain_broken;
    gap |= x.kind == ProblemKind::seq_gap;
  }
  CHECK(broken);
  CHECK(gap);
}

TEST_CASE("complete:false and lost counts are reported with their categories") {
  auto m = three_segments();
  m.complete = false;
  m.incomplete_reason = "flush deadline";
  m.lost = {{"process_exec", 2}};
  VerifyReport r;
  r.problems = check_manifest(m);
  CHECK(r.has(ProblemKind::incomplete));
  CHECK(r.has(ProblemKind::lost_events));
  CHECK(r.verdict() == Verdict::incomplete);
}

TEST_CASE("a family the kernel could not load is its own verdict, above lost events") {
  auto m = three_segments();
  m.meta["kernel"] = "5.10.0-32-cloud-amd64";
  m.meta["features"] = {{"process", {{"loaded", true}}},
                        {"file", {{"loaded", false}, {"reason", "file tracer: BPF load failed: Invalid argument"}}}};
  VerifyReport r;
  r.problems = check_manifest(m);
  REQUIRE(r.problems.size() == 1);
  CHECK(r.problems[0].kind == ProblemKind::family_missing);
  CHECK(r.problems[0].message ==
        "the file family was not traced on kernel 5.10.0-32-cloud-amd64: file tracer: BPF load failed: Invalid argument");
  CHECK(r.verdict() == Verdict::family_missing);
  m.lost = {{"process_exec", 2}};
  r.problems = check_manifest(m);
  CHECK(r.verdict() == Verdict::family_missing);
  m.meta["features"]["file"]["loaded"] = true;  // every family loaded: only the losses remain
  r.problems = check_manifest(m);
  CHECK(r.verdict() == Verdict::lost_events);
}

TEST_CASE("the listing check tells missing, declared-missing, resized and unlisted segments apart") {
  auto m = three_segments();
  m.not_uploaded = {segment_name(2)};
  std::vector<jobtrail::storage::ObjectInfo> objects{{segment_name(0), 100, ""},   // fine
                                                     {segment_name(7), 5, ""},     // unlisted
                                                     {"_manifest.json", 10, ""}};
  auto p = check_listing(m, objects);
  REQUIRE(p.size() == 3);
  CHECK(p[0].kind == ProblemKind::segment_missing);  // 1: listed as stored, absent
  CHECK(p[1].kind == ProblemKind::segment_not_uploaded);
  CHECK(p[2].kind == ProblemKind::unlisted_segment);
  objects[0].size = 99;
  CHECK(check_listing(m, objects)[0].kind == ProblemKind::size_mismatch);
}

TEST_CASE("index keys come from the job identity, either naming") {
  nlohmann::json ours{{"repository", "octo/hello"}, {"run_id", "123"}, {"run_attempt", 2}, {"job", "build"}};
  CHECK(index_key(ours, "uid-1") == "jobs/octo/hello/123/2/build/uid-1.json");
  nlohmann::json gh{{"GITHUB_REPOSITORY", "octo/hello"}, {"GITHUB_RUN_ID", "9"}, {"GITHUB_JOB", "test"}};
  CHECK(index_key(gh, "u") == "jobs/octo/hello/9/1/test/u.json");
  nlohmann::json hostile{{"repository", "a/b"}, {"run_id", "../.."}, {"job", "x/y"}};
  CHECK(index_key(hostile, "u") == "jobs/a/b/.._../1/x_y/u.json");
  CHECK_FALSE(index_key(nlohmann::json{{"repository", "nojobfield/x"}, {"run_id", "1"}}, "u"));
  CHECK_FALSE(index_key(nlohmann::json{{"repository", "noslash"}, {"run_id", "1"}, {"job", "j"}}, "u"));
}

TEST_CASE("local store keys cannot escape the root") {
  using jobtrail::storage::valid_key;
  CHECK(valid_key("events/dt=2026-12-01/ns/pod/uid/_manifest.json"));
  CHECK_FALSE(valid_key(""));
  CHECK_FALSE(valid_key("/etc/passwd"));
  CHECK_FALSE(valid_key("a/../b"));
  CHECK_FALSE(valid_key("a//b"));
  CHECK_FALSE(valid_key("./a"));
}

TEST_CASE("layout 2 keys: dated, one folder per archive, nothing an engine would skip or misread") {
  CHECK(archive_prefix("ci", "runner-x", "uid-1", "2026-12-01T23:59:59.5Z") == "events/dt=2026-12-01/ci/runner-x/uid-1/");
  CHECK(summary_key("uid-1", "2026-12-01T00:00:00Z") == "summaries/dt=2026-12-01/uid-1.json");
  // Hostile components: no '/', no "..", no "k=v" (a partition column to an engine), no leading
  // '_' or '.' (a folder an engine skips).
  CHECK(archive_prefix("a/b", "..", "_hidden", "2026-12-01") == "events/dt=2026-12-01/a_b/-../-hidden/");
  CHECK(archive_prefix("dt=1999-01-01", ".x", "u=v", "2026-12-01") == "events/dt=2026-12-01/dt-1999-01-01/-x/u-v/");
  CHECK(archive_prefix("", "p", "u", "2026-12-01") == "events/dt=2026-12-01/-/p/u/");
  CHECK(summary_key("../x", "2026-12-01") == "summaries/dt=2026-12-01/-._x.json");
  CHECK(summary_key("_x", "2026-12-01") == "summaries/dt=2026-12-01/-x.json");
  // A date that is no date still gives a valid partition.
  CHECK(partition_date("") == "1970-01-01");
  CHECK(partition_date("2026-1-01") == "1970-01-01");
  CHECK(partition_date("../../etc") == "1970-01-01");
  CHECK(partition_date("2026-12-01") == "2026-12-01");
  CHECK(is_manifest_name("_manifest.json"));
  CHECK(is_manifest_name("manifest.json"));
  CHECK_FALSE(is_manifest_name("events-000000.jsonl.zst"));
}

TEST_CASE("the manifest carries its layout version; one without the key is of layout 1") {
  Manifest m;
  m.complete = true;
  auto j = to_json(m);
  CHECK(j["layout_version"] == 2);
  CHECK(manifest_from_json(j).layout_version == 2);
  j.erase("layout_version");
  CHECK(manifest_from_json(j).layout_version == 1);
}
