#pragma once
// Streams archive events into JSON Lines of one SIEM schema (OCSF or ECS), counting what did not
// map. Pure (no I/O): the caller feeds events in archive order and writes the lines it gets.
#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "trail/export/job_context.hpp"
#include "trail/export/mapped.hpp"

namespace jobtrail::exporting {

enum class Format { ocsf, ecs };

struct ExportTally {
  std::uint64_t events = 0, records = 0;
  std::map<std::string, std::uint64_t> no_class;  // per event type: no class in this schema
  std::map<std::string, std::uint64_t> invalid;   // per event type: could not be mapped
  std::string first_invalid;                      // the reason of the first, for the message
};

class Exporter {
 public:
  Exporter(Format format, JobContext ctx) : format_(format), ctx_(std::move(ctx)) {}
  // Maps one event and appends its records to `out`, one JSON line each (valid UTF-8: the
  // archive's strings are, and a byte that is not is replaced rather than thrown on).
  void add(const nlohmann::json& event, std::string& out);
  const ExportTally& tally() const { return tally_; }
  const JobContext& context() const { return ctx_; }

 private:
  Mapped map(const nlohmann::json& event) const;
  Format format_;
  JobContext ctx_;
  ExportTally tally_;
};

// "12 events: 10 records; not in OCSF: capability 1, lost 1" (the line the CLI prints at the end).
std::string tally_text(const ExportTally& t, Format f);

}  // namespace jobtrail::exporting
