#pragma once
// The job summary as a pure streaming fold over a trail's events: feed the manifest (if any)
// and every event in order, then take result(). No I/O, bounded memory (every table has a
// cap; what exceeds it is counted in "truncated", never dropped silently). Used by
// `jobtrail summary` and the HTML report, and usable by the sidecar to write a summary object.
//
// result() (JSON, documented in docs/cli.md):
//   identity, pod, archive{complete, incomplete_reason, archive_id}, start, end, duration_s,
//   events, counts{type:n}, processes{execs, exits, failed}, top_binaries[{binary, execs}],
//   network[{address, port, protocol, names[], connections, bytes_sent, bytes_received, binaries[]}],
//   dns{queries, names}, workspace, files_written_outside_workspace[{path, writes, binaries[]}],
//   privilege[{time, type, binary, pid, exec_id, detail}], findings[{id, severity, title, time, exec_ids[], binary}],
//   findings_total, finding_counts[{id, severity, count}] (every finding, also those past max_list),
//   lost{type:n}, lost_total, truncated{table:n}
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "trail/archive/manifest.hpp"
#include "trail/event/event.hpp"

namespace jobtrail::summary {

struct Limits {
  std::size_t top_binaries = 15;
  std::size_t max_table = 20'000;  // distinct binaries / destinations / paths / names kept
  std::size_t max_list = 2'000;    // privilege events and findings listed (all are counted)
  // A fold that needs neither (the sidecar's summary row) skips the two costliest per-event steps:
  bool event_times = true;  // first/last event time (parsing each event's time)
  bool files = true;        // files written outside the workspace
};

// Default workspace of actions-runner-controller runners, when the identity does not say.
inline constexpr const char* default_workspace = "/home/runner/_work";

class Builder {
 public:
  explicit Builder(Limits = {});
  ~Builder();
  Builder(Builder&&) noexcept;
  Builder& operator=(Builder&&) noexcept;

  void add_manifest(const archive::Manifest&);
  // One event of the trail, typed (trail/event/decoder.hpp reads archive lines into these).
  void add(const event::Event& event);
  // The same for a caller that holds the event as JSON: read into the typed event first, so there
  // is one fold. An event of the wrong shape is counted in truncated.unreadable_events.
  void add(const nlohmann::json& event);
  // A line of the trail that is no event (the decoder refused it): counted in truncated.unreadable_events.
  void add_unreadable();
  nlohmann::json result() const;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

// The summary as text for a terminal.
std::string format_text(const nlohmann::json& summary);

}  // namespace jobtrail::summary
