// The sidecar's core loop with a fake ring source and a fake archive: records are dispatched by
// their type to their family's tracer, decoded, joined to their exec, seen by the findings engine
// and written; a record no decoder accepts, or whose type no loaded family owns, becomes a
// counted loss in the trail and the archive's loss totals.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <deque>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "bpf/events/process.h"
#include "sidecar/findings_observer.hpp"
#include "sidecar/pipeline.hpp"
#include "trail/events/process_decode.hpp"
#include "tests/unit/exec_record_bytes.hpp"

using namespace jobtrail::sidecar;
using namespace std::string_literals;
using nlohmann::json;

namespace {

class FakeProcessTracer final : public Tracer {
 public:
  std::string name() const override { return "process"; }
  void open_and_load(const TracerContext&) override {}
  void attach() override {}
  std::optional<json> decode(const void* data, std::size_t size) override {
    return jobtrail::events::decode_process_record(data, size, nullptr);
  }
  std::map<std::string, std::uint64_t> read_losses() override { return kernel_losses; }
  std::map<std::string, std::uint64_t> kernel_losses;  // totals the "kernel" reports
};

// Another family: a record of its types becomes "<family>_record" with the header's exec_id and
// type; it notes every type it was handed.
class FakeFamilyTracer final : public Tracer {
 public:
  explicit FakeFamilyTracer(std::string family) : family_(std::move(family)) {}
  std::string name() const override { return family_; }
  void open_and_load(const TracerContext&) override {}
  void attach() override {}
  std::optional<json> decode(const void* data, std::size_t size) override {
    event_header h{};
    if (size < sizeof h) return std::nullopt;
    std::memcpy(&h, data, sizeof h);
    handed.push_back(h.type);
    return json{{"type", family_ + "_record"}, {"record_type", h.type}, {"process", {{"exec_id", h.exec_id}}}};
  }
  std::map<std::string, std::uint64_t> read_losses() override { return {}; }
  std::vector<std::uint16_t> handed;

 private:
  std::string family_;
};

// The one ring: records in the order they were pushed, whatever their family.
class FakeRing final : public RingSource {
 public:
  void push(std::string record) { queued_.push_back(std::move(record)); }
  int poll(int, RecordSink& sink) override { return consume(sink); }
  int consume(RecordSink& sink) override {
    int n = 0;
    while (!queued_.empty() && n < kMaxRecordsPerCall) {
      const std::string r = std::move(queued_.front());
      queued_.pop_front();
      sink.on_record(r.data(), r.size());
      ++n;
    }
    return n;
  }

 private:
  std::deque<std::string> queued_;
};

// A job that writes records without end, as fast as they are read.
class EndlessRing final : public RingSource {
 public:
  explicit EndlessRing(std::string record) : record_(std::move(record)) {}
  int poll(int, RecordSink& sink) override { return consume(sink); }
  int consume(RecordSink& sink) override {
    for (int n = 0; n < kMaxRecordsPerCall; ++n) sink.on_record(record_.data(), record_.size());
    return kMaxRecordsPerCall;
  }

 private:
  std::string record_;
};

class FakeArchive final : public ArchiveSink {
 public:
  std::uint64_t append(json& event) override {
    event["seq"] = events.size();
    events.push_back(event);
    return events.size() - 1;
  }
  void set_job_identity(const json& adopted) override { identity = adopted; }
  void add_lost(const std::string& type, std::uint64_t n) override { lost[type] += n; }
  std::vector<json> of_type(const std::string& type) const {
    std::vector<json> out;
    for (auto& e : events)
      if (e.value("type", "") == type) out.push_back(e);
    return out;
  }
  std::vector<json> events;
  json identity;
  std::map<std::string, std::uint64_t> lost;
};

std::string exec_record(std::uint64_t exec_id, std::uint64_t parent, std::uint32_t pid, const std::string& binary,
                        const std::string& env, const std::string& args) {
  process_exec_event e{};
  e.hdr.type = JT_EV_PROCESS_EXEC;
  e.hdr.pid = e.hdr.tid = pid;
  e.hdr.exec_id = exec_id;
  e.hdr.ktime_ns = 1000;
  e.parent_exec_id = parent;
  e.old_tid = pid;
  return exec_record_bytes(e, binary + '\0', "/\0"s, env, args);
}

std::string exit_record(std::uint64_t exec_id, std::uint32_t pid, std::uint32_t status) {
  process_exit_event e{};
  e.hdr.type = JT_EV_PROCESS_EXIT;
  e.hdr.size = sizeof e;
  e.hdr.pid = e.hdr.tid = pid;
  e.hdr.exec_id = exec_id;
  e.hdr.ktime_ns = 2000;
  e.exit_code = status;
  return std::string(reinterpret_cast<const char*>(&e), sizeof e);
}

std::string header_record(std::uint16_t type, std::uint64_t exec_id) {
  event_header h{};
  h.type = type;
  h.size = sizeof h;
  h.exec_id = exec_id;
  h.ktime_ns = 1500;
  return std::string(reinterpret_cast<const char*>(&h), sizeof h);
}

struct Loop {
  FakeProcessTracer* tracer = new FakeProcessTracer;
  std::vector<std::unique_ptr<Tracer>> tracers;
  FakeRing rings;
  FakeArchive archive;
  Pipeline pipeline;
  Loop() : tracers(one(tracer)), pipeline(tracers, rings, archive, OutputMode::compact, {}) {
    pipeline.add_observer(make_findings_observer({}));
  }
  static std::vector<std::unique_ptr<Tracer>> one(Tracer* t) {
    std::vector<std::unique_ptr<Tracer>> v;
    v.emplace_back(t);
    return v;
  }
};

}  // namespace

TEST_CASE("pipeline: records are decoded, joined to their exec, checked by the rules and written in order") {
  Loop l;
  l.rings.push(exec_record(2, 0, 9, "/runner/bin/Runner.Listener", "", "Runner.Listener\0"s));
  l.rings.push(exec_record(3, 2, 10, "/runner/bin/Runner.Worker", "", "Runner.Worker\0"s));
  l.rings.push(exec_record(7, 3, 11, "/usr/bin/xmrig", "GITHUB_REPOSITORY=o/r\0GITHUB_RUN_ID=9\0"s, "xmrig\0-o\0x\0"s));
  l.rings.push(exit_record(7, 11, 1 << 8));
  CHECK(l.pipeline.poll(0) == 4);

  auto& ev = l.archive.events;
  for (std::size_t i = 0; i < ev.size(); ++i) CHECK(ev[i]["seq"] == i);
  auto execs = l.archive.of_type("process_exec");
  REQUIRE(execs.size() == 3);
  CHECK(execs[2]["process"]["binary"] == "/usr/bin/xmrig");
  CHECK(execs[2]["time"].is_string());  // the kernel's clock became wall time
  CHECK_FALSE(execs[2].contains("ktime_ns"));

  auto exits = l.archive.of_type("process_exit");
  REQUIRE(exits.size() == 1);
  CHECK(exits[0]["process"]["binary"] == "/usr/bin/xmrig");  // joined from the exec table
  CHECK(exits[0]["process"]["args"] == json({"xmrig", "-o", "x"}));

  auto identity = l.archive.of_type("job_identity");
  REQUIRE(identity.size() == 1);  // revealed by a step of the runner's Runner.Worker
  CHECK(identity[0]["job"]["GITHUB_REPOSITORY"] == "o/r");
  CHECK(l.archive.identity["GITHUB_RUN_ID"] == "9");

  auto findings = l.archive.of_type("finding");
  REQUIRE(findings.size() == 1);
  CHECK(findings[0]["finding"]["id"] == "crypto-mining");
  CHECK(l.pipeline.events() == ev.size());
  CHECK(l.pipeline.bad_records() == 0);
}

TEST_CASE("pipeline: a hostile record is a counted loss in the trail and the archive, and the trail goes on") {
  Loop l;
  auto cut = exec_record(7, 0, 11, "/bin/sh", "", "sh\0"s);
  cut.resize(cut.size() / 2);  // shorter than the sizes it announces
  l.rings.push(cut);
  l.rings.push(std::string(3, '\xff'));  // shorter than any header: no type to dispatch by
  l.rings.push(exec_record(8, 0, 12, "/bin/true", "", "true\0"s));
  l.pipeline.poll(0);
  CHECK(l.pipeline.bad_records() == 2);
  REQUIRE(l.archive.of_type("process_exec").size() == 1);  // the good record after them is written
  CHECK(l.archive.of_type("lost").empty());                 // losses go out at the loss poll

  l.tracer->kernel_losses = {{"process_exec", 5}};
  l.pipeline.poll_losses();
  CHECK(l.archive.lost ==
        std::map<std::string, std::uint64_t>{{"undecodable_process", 1}, {"undecodable_record", 1}, {"process_exec", 5}});
  auto lost = l.archive.of_type("lost");
  REQUIRE(lost.size() == 3);
  std::map<std::string, std::uint64_t> in_trail;
  for (auto& e : lost) in_trail[e["lost_type"]] = e["count"];
  CHECK(in_trail == l.archive.lost);

  l.tracer->kernel_losses = {{"process_exec", 7}};  // totals: only the growth is new
  l.pipeline.poll_losses();
  CHECK(l.archive.lost["process_exec"] == 7);
  CHECK(l.archive.of_type("lost").back()["count"] == 2);
  CHECK(l.archive.lost["undecodable_process"] == 1);  // counted once
}

TEST_CASE("pipeline: in a workflow pod the runner's chain names no job, it is a mismatch in the trail") {
  Loop l;
  l.pipeline.set_pod_kind(JobIdentity::PodKind::workflow);
  l.rings.push(exec_record(2, 0, 9, "/runner/bin/Runner.Listener", "", "Runner.Listener\0"s));
  l.rings.push(exec_record(3, 2, 10, "/runner/bin/Runner.Worker", "", "Runner.Worker\0"s));
  l.rings.push(exec_record(7, 3, 11, "/bin/sh", "GITHUB_REPOSITORY=victim/repo\0"s, "sh\0"s));
  l.pipeline.poll(0);
  CHECK(l.archive.identity.is_null());
  auto identity = l.archive.of_type("job_identity");
  REQUIRE(identity.size() == 1);
  CHECK(identity[0]["mismatch"] == true);
  CHECK(identity[0]["reason"] == "workflow_pod");
  CHECK(identity[0]["job"]["GITHUB_REPOSITORY"] == "victim/repo");
}

TEST_CASE("pipeline: an observer that derives nothing (an exporter) also sees the findings the others derive") {
  struct Recorder final : EventObserver {
    std::vector<std::string>& seen;
    explicit Recorder(std::vector<std::string>& s) : seen(s) {}
    void on_event(const json& e, std::vector<json>&) override { seen.push_back(e.value("type", "")); }
    void on_finish(std::vector<json>&) override { seen.push_back("(finish)"); }
    bool sees_derived() const override { return true; }
  };
  Loop l;
  std::vector<std::string> seen;
  l.pipeline.add_observer(std::make_unique<Recorder>(seen));
  l.rings.push(exec_record(3, 0, 10, "/runner/bin/Runner.Worker", "", "Runner.Worker\0"s));
  l.rings.push(exec_record(7, 3, 11, "/usr/bin/xmrig", "GITHUB_REPOSITORY=o/r\0GITHUB_RUN_ID=9\0"s, "xmrig\0-o\0x\0"s));
  l.pipeline.poll(0);
  l.pipeline.finish_observers();
  const auto findings = l.archive.of_type("finding").size();
  REQUIRE(findings > 0);
  CHECK(static_cast<std::size_t>(std::count(seen.begin(), seen.end(), "finding")) == findings);
  CHECK(seen.size() == l.archive.events.size() + 1);  // every event written, then its own end
  CHECK(seen.back() == "(finish)");
}

TEST_CASE("pipeline: each record goes to the tracer of its type's family; a type no loaded family owns is a counted loss") {
  auto* priv = new FakeFamilyTracer("priv");
  auto* net = new FakeFamilyTracer("net");
  std::vector<std::unique_ptr<Tracer>> tracers;
  auto* proc = new FakeProcessTracer;
  tracers.emplace_back(proc);
  tracers.emplace_back(priv);
  tracers.emplace_back(net);  // no file family: this kernel could not load it
  FakeRing ring;
  FakeArchive archive;
  Pipeline pipeline(tracers, ring, archive, OutputMode::compact, {});
  ring.push(exec_record(7, 0, 11, "/usr/bin/nsenter", "", "nsenter\0-t\0"s));
  ring.push(header_record(JT_EV_PRIV_MIN, 7));
  ring.push(header_record(JT_EV_DNS_MIN, 7));   // DNS is the net family's
  ring.push(header_record(JT_EV_NET_MIN + 99, 7));
  ring.push(header_record(JT_EV_PRIV_MAX, 7));
  ring.push(header_record(JT_EV_FILE_MIN, 7));  // the file family is not loaded
  ring.push(header_record(0, 7));               // hostile: types no family owns
  ring.push(header_record(JT_EV_PRIV_MAX + 1, 7));
  ring.push(header_record(JT_EV_TYPE_MAX, 7));
  ring.push(header_record(0xffff, 7));
  ring.push(exit_record(7, 11, 0));
  CHECK(pipeline.poll(0) == 11);

  CHECK(priv->handed == std::vector<std::uint16_t>{JT_EV_PRIV_MIN, JT_EV_PRIV_MAX});
  CHECK(net->handed == std::vector<std::uint16_t>{JT_EV_DNS_MIN, JT_EV_NET_MIN + 99});
  CHECK(pipeline.bad_records() == 5);
  std::vector<std::string> types;
  for (auto& e : archive.events) types.push_back(e.value("type", ""));
  CHECK(types == std::vector<std::string>{"process_exec", "priv_record", "net_record", "net_record", "priv_record",
                                          "process_exit"});
  // Behind its exec in the one ring: joined at once, in this very poll.
  CHECK(archive.events[1]["process"]["binary"] == "/usr/bin/nsenter");
  CHECK(archive.events[2]["process"]["args"] == json({"nsenter", "-t"}));

  pipeline.poll_losses();
  CHECK(archive.lost == std::map<std::string, std::uint64_t>{{"undecodable_file", 1}, {"undecodable_record", 4}});
}

TEST_CASE("pipeline: an event whose exec never came is written in the poll that read it, without process fields") {
  std::vector<std::unique_ptr<Tracer>> tracers;
  tracers.emplace_back(new FakeProcessTracer);
  tracers.emplace_back(new FakeFamilyTracer("priv"));
  FakeRing ring;
  FakeArchive archive;
  Pipeline pipeline(tracers, ring, archive, OutputMode::compact, {});
  ring.push(header_record(JT_EV_PRIV_MIN, 42));  // a process that started before tracing
  CHECK(pipeline.poll(0) == 1);
  REQUIRE(archive.events.size() == 1);
  CHECK(archive.events[0]["process"] == json({{"exec_id", 42}}));
  ring.push(exec_record(42, 0, 11, "/bin/sh", "", "sh\0"s));  // a later exec joins only what follows it
  ring.push(header_record(JT_EV_PRIV_MIN, 42));
  pipeline.poll(0);
  REQUIRE(archive.events.size() == 3);
  CHECK(archive.events[2]["process"]["binary"] == "/bin/sh");
  CHECK(archive.events[0]["process"] == json({{"exec_id", 42}}));
}

TEST_CASE("pipeline: one poll reads a bounded batch; the rest waits for the next poll") {
  Loop l;
  const int queued = 3 * RingSource::kMaxRecordsPerCall;
  for (int i = 0; i < queued; ++i) l.rings.push(exit_record(7, 70, 0));
  const int first = l.pipeline.poll(0);  // a poll and one more read, each bounded
  CHECK(first == 2 * RingSource::kMaxRecordsPerCall);
  CHECK(l.pipeline.poll(0) == queued - first);
  CHECK(l.archive.of_type("process_exit").size() == static_cast<std::size_t>(queued));
}

TEST_CASE("pipeline: a job writing without end cannot hold the drain: what is left is counted as unread_at_end") {
  std::vector<std::unique_ptr<Tracer>> tracers;
  tracers.emplace_back(new FakeProcessTracer);
  EndlessRing ring(exit_record(7, 70, 0));
  FakeArchive archive;
  Pipeline pipeline(tracers, ring, archive, OutputMode::compact, {});
  const auto started = std::chrono::steady_clock::now();
  pipeline.drain(started + std::chrono::milliseconds(50));
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));  // 50 ms + 200 ms of counting
  CHECK(!archive.of_type("process_exit").empty());  // read until the time ran out
  const auto lost = archive.of_type("lost");
  REQUIRE(lost.size() == 1);
  CHECK(lost[0]["lost_type"] == "unread_at_end");
  CHECK(lost[0]["count"].get<std::uint64_t>() >= static_cast<std::uint64_t>(RingSource::kMaxRecordsPerCall));
  CHECK(archive.lost["unread_at_end"] == lost[0]["count"].get<std::uint64_t>());
}
