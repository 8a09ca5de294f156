#include "trail/events/record_common.hpp"

#include <cstring>

namespace jobtrail::events {

std::string errno_name(int err) {
  if (err < 0) err = -err;
  if (const char* n = strerrorname_np(err)) return n;
  return "E" + std::to_string(err);
}

std::string result_text(long ret) { return ret >= 0 ? std::string("ok") : errno_name(static_cast<int>(ret)); }

nlohmann::json header_json(const event_header& h, const char* type) {
  nlohmann::json j;
  j["type"] = type;
  j["ktime_ns"] = h.ktime_ns;
  j["process"] = {{"pid", h.pid}, {"tid", h.tid}, {"exec_id", h.exec_id}, {"cgroup_id", h.cgroup_id}};
  return j;
}

}  // namespace jobtrail::events
