#pragma once
// The result of mapping one archive event to a SIEM schema: zero or more records, or why none.
#include <string>
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

// The event types both exports map (docs/cli.md, "export"); the others have no class there.
constexpr bool exported_type(events::Type t) {
  using events::Type;
  switch (t) {
    case Type::process_exec:
    case Type::process_exit:
    case Type::net_connect:
    case Type::net_accept:
    case Type::net_close:
    case Type::net_udp:
    case Type::dns_query:
    case Type::dns_answer:
    case Type::file_open:
    case Type::file_io:
    case Type::file_change:
    case Type::finding: return true;
    default: return false;
  }
}

}  // namespace jobtrail::exporting
