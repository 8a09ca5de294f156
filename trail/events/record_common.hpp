#pragma once
// Helpers shared by the decoders of the file, net, dns and priv families (pure, no I/O).
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "bpf/events/common.h"

namespace jobtrail::events {

// "ENOENT", "ECONNREFUSED", ... for a positive or negative errno; "E<n>" when unknown.
std::string errno_name(int err);

// A syscall return value as schema text: "ok" for >= 0, else the errno name of -ret.
std::string result_text(long ret);

// {"ktime_ns": ..., "process": {pid, tid, exec_id, cgroup_id}} from a record header.
nlohmann::json header_json(const event_header& h, const char* type);

}  // namespace jobtrail::events
