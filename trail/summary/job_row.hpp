#pragma once
// The per-job summary row (docs/fleet.md "The job-summary table"): one compact JSON line per
// job, written by the sidecar at finish under summaries/dt=YYYY-MM-DD/, so fleet queries read
// one small object per job instead of its whole trail. Built by a pure function from the job's
// summary (Builder::result(), the manifest added) and the manifest.
//
// The job controls the cardinality of every list (binaries, destinations, findings) and the
// length of every string in it: each list keeps its top entries and says how many it omitted,
// each string is cut, and the whole line has a hard bound.
#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

#include "trail/archive/manifest.hpp"
#include "trail/summary/summary.hpp"

namespace jobtrail::summary {

inline constexpr int job_row_version = 1;

struct RowLimits {
  std::size_t destinations = 20;   // by bytes, then connections
  std::size_t binaries = 20;       // by execs
  std::size_t findings = 20;       // (rule, severity) groups, by count
  std::size_t names = 3;           // DNS names per destination
  std::size_t counts = 48;         // event types and loss types
  std::size_t text_bytes = 200;    // any one string (cut on a UTF-8 boundary, "…" appended)
  std::size_t max_row_bytes = 16 * 1024;  // the whole line: lists are shortened until it fits
};

// The summary fold's limits for a row: small tables, so the fold the sidecar runs for the row
// stays a few MiB whatever the job does.
Limits row_fold_limits(const RowLimits& = {});

// `summary` is Builder::result() after add_manifest(m) and every event of the trail.
nlohmann::json job_row(const nlohmann::json& summary, const archive::Manifest& m, const RowLimits& = {});

// The row as stored: one line, '\n'-terminated, invalid UTF-8 replaced.
std::string job_row_line(const nlohmann::json& row);

// The events of a trail folded for its row; what the sidecar (and the fleet test's generator)
// feed every archived event to.
class JobRowFold {
 public:
  explicit JobRowFold(RowLimits limits = {}) : limits_(limits), builder_(row_fold_limits(limits)) {}
  void add(const nlohmann::json& event) { builder_.add(event); }
  nlohmann::json row(const archive::Manifest& m);

 private:
  RowLimits limits_;
  Builder builder_;
};

}  // namespace jobtrail::summary
