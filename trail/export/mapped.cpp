#include "trail/export/mapped.hpp"

#include "trail/export/fields.hpp"

namespace jobtrail::exporting {

std::variant<Exportable, Mapped> exportable(const nlohmann::json& ev) {
  if (!ev.is_object()) return Mapped::bad("not an object");
  auto type_text = string_member(ev, "type");
  if (!type_text) return Mapped::bad("no type");
  const auto t = events::type_named(*type_text);
  const auto family = t ? export_family(*t) : std::nullopt;
  if (!family) return Mapped::none();
  const auto ms = event_time_ms(ev);
  if (!ms) return Mapped::bad("no RFC 3339 time");
  return Exportable{*t, std::move(*type_text), *family, *ms};
}

}  // namespace jobtrail::exporting
