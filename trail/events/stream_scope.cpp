#include "trail/events/stream_scope.hpp"

namespace jobtrail::events {

const std::map<std::string, StreamScope>& stream_scope_names() {
  static const std::map<std::string, StreamScope> names = {
      {"story", StreamScope::story}, {"files", StreamScope::all}, {"all", StreamScope::all}};
  return names;
}

bool in_stream_scope(const nlohmann::json& event, StreamScope scope) {
  if (scope == StreamScope::all) return true;
  if (!event.is_object()) return true;
  auto type = event.find("type");
  if (type == event.end() || !type->is_string()) return true;
  const auto& t = type->get_ref<const std::string&>();
  return t.rfind("file_", 0) != 0;
}

}  // namespace jobtrail::events
