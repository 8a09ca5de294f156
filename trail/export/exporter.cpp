#include "trail/export/exporter.hpp"

#include "trail/export/ecs.hpp"
#include "trail/export/fields.hpp"
#include "trail/export/ocsf.hpp"

namespace jobtrail::exporting {

Mapped Exporter::map(const nlohmann::json& ev) const {
  try {
    return format_ == Format::ocsf ? to_ocsf(ev, ctx_) : to_ecs(ev, ctx_);
  } catch (const std::exception& e) {  // a mapping must not end the export of the rest
    return Mapped::bad(std::string("internal error: ") + e.what());
  }
}

void Exporter::add(const nlohmann::json& ev, std::string& out) {
  ++tally_.events;
  adopt_identity(ctx_, ev);
  Mapped m = map(ev);
  const std::string type = string_member(ev, "type").value_or("(no type)");
  switch (m.outcome) {
    case Mapped::Outcome::no_class: ++tally_.no_class[type]; return;
    case Mapped::Outcome::invalid:
      if (tally_.invalid.empty()) tally_.first_invalid = type + ": " + m.why;
      ++tally_.invalid[type];
      return;
    case Mapped::Outcome::mapped: break;
  }
  for (const auto& r : m.records) {
    out += r.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    out += '\n';
    ++tally_.records;
  }
}

std::string tally_text(const ExportTally& t, Format f) {
  auto counts = [](const std::map<std::string, std::uint64_t>& m) {
    std::string s;
    for (const auto& [k, n] : m) s += (s.empty() ? "" : ", ") + k + " " + std::to_string(n);
    return s;
  };
  std::string s = std::to_string(t.events) + " events: " + std::to_string(t.records) + " records";
  if (!t.no_class.empty()) s += "; no " + std::string(f == Format::ocsf ? "OCSF class" : "ECS mapping") + " for: " + counts(t.no_class);
  if (!t.invalid.empty()) s += "; could not map: " + counts(t.invalid) + " (first: " + t.first_invalid + ")";
  return s;
}

}  // namespace jobtrail::exporting
