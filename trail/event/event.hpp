#pragma once
// One archive event as typed values: what every event has (type, time, seq, process) and the
// part its type adds. The type ids and names are trail/events/types.hpp's table.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "trail/event/dns.hpp"
#include "trail/event/exec.hpp"
#include "trail/event/file.hpp"
#include "trail/event/finding.hpp"
#include "trail/event/identity.hpp"
#include "trail/event/lost.hpp"
#include "trail/event/net.hpp"
#include "trail/event/priv.hpp"
#include "trail/event/process.hpp"
#include "trail/events/types.hpp"

namespace jobtrail::event {

// monostate: a type with no part of its own here (a name of a newer schema, or none).
using Body = std::variant<std::monostate, Exec, Exit, File, Net, Dns, Priv, Capability, Lost, Finding, Identity, FamilyMissing>;

struct Event {
  std::optional<events::Type> type;  // nullopt: `type_name` is no type of the table (or empty)
  std::string type_name;             // set only when `type` is nullopt
  std::string time;                  // RFC 3339 text as the archive has it ("" when absent)
  std::optional<std::uint64_t> seq;
  Process process;
  bool has_process = false;
  bool invalid_utf8 = false;
  Body body;

  // The `type` text: the table's name, or what the line said.
  std::string_view name() const { return type ? std::string_view(events::name_of(*type)) : std::string_view(type_name); }
  template <typename T>
  const T* get() const { return std::get_if<T>(&body); }
  bool operator==(const Event&) const = default;
};

}  // namespace jobtrail::event
