#pragma once
// The result of mapping one archive event to a SIEM schema: zero or more records, or why none.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "trail/events/types.hpp"

namespace jobtrail::exporting {

struct Mapped {
  enum class Outcome {
    mapped,    // `records` holds the event in the schema
    no_class,  // a type the schema has no class for in this export (lost, capability, ...)
    invalid,   // the event lacks what its type needs (no time, a family object that is no object)
  };
  Outcome outcome = Outcome::mapped;
  std::vector<nlohmann::json> records;
  std::string why;  // for invalid: what was missing

  static Mapped none() { return {Outcome::no_class, {}, {}}; }
  static Mapped bad(std::string why) { return {Outcome::invalid, {}, std::move(why)}; }
};

// What each export maps an event type to (docs/cli.md, "export"); the other types have no class there.
enum class ExportFamily { process, network, dns, file, finding };
constexpr std::optional<ExportFamily> export_family(events::Type t) {
  using events::Type;
  switch (t) {
    case Type::process_exec:
    case Type::process_exit: return ExportFamily::process;
    case Type::net_connect:
    case Type::net_accept:
    case Type::net_close:
    case Type::net_udp: return ExportFamily::network;
    case Type::dns_query:
    case Type::dns_answer: return ExportFamily::dns;
    case Type::file_open:
    case Type::file_io:
    case Type::file_change: return ExportFamily::file;
    case Type::finding: return ExportFamily::finding;
    default: return std::nullopt;
  }
}

// An event both exports can map: its type, the type's name as in the archive, its family, and its
// time (ms since the epoch).
struct Exportable {
  events::Type type;
  std::string type_text;
  ExportFamily family;
  std::int64_t time_ms;
};
// The checks both exports begin with: an object with a known exported `type` and an RFC 3339
// `time`. Otherwise the Mapped that answers the event already (invalid, or no class).
std::variant<Exportable, Mapped> exportable(const nlohmann::json& ev);

}  // namespace jobtrail::exporting
