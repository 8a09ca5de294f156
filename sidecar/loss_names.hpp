#pragma once
// The `lost_type` of each kernel loss slot (enum jt_loss_cause x event type, bpf/events/common.h):
// a full ring keeps the event type's name ("net_accept"); the other causes add a suffix
// ("net_accept_map_full", "file_open_no_scratch", "process_exec_scan_cut"), so an operator
// sees why, and every cause is one more name in the same `lost` vocabulary (docs/schema.md).
#include <cstdint>
#include <map>
#include <string>

namespace jobtrail::sidecar {

using EventTypeName = const char* (*)(std::uint32_t type);

std::string loss_slot_name(std::uint32_t slot, EventTypeName name_of);

// slot -> total (read_percpu_loss_map) to lost_type -> total.
std::map<std::string, std::uint64_t> name_losses(const std::map<std::uint32_t, std::uint64_t>& slots,
                                                 EventTypeName name_of);

}  // namespace jobtrail::sidecar
