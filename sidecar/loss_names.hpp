#pragma once
// The `lost_type` of each kernel loss slot (enum jt_loss_cause x event type, bpf/events/common.h):
// a full ring keeps the event type's name ("net_accept"); the other causes add a suffix
// ("net_accept_map_full", "file_open_no_scratch", "process_exec_scan_cut"), so an operator
// sees why, and every cause is one more name in the same `lost` vocabulary (docs/schema.md).
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace jobtrail::sidecar {

// A family's kernel event types (JT_EV_*) and the lost_type each is counted under; a type the
// table does not list (a newer BPF object, a slot the kernel never fills) is counted as `other`.
struct LossTable {
  std::vector<std::pair<std::uint32_t, const char*>> types;
  const char* other = "";
  const char* name_of(std::uint32_t type) const {
    for (const auto& [t, name] : types)
      if (t == type) return name;
    return other;
  }
};

std::string loss_slot_name(std::uint32_t slot, const LossTable& table);

// slot -> total (read_percpu_loss_map) to lost_type -> total.
std::map<std::string, std::uint64_t> name_losses(const std::map<std::uint32_t, std::uint64_t>& slots,
                                                 const LossTable& table);

}  // namespace jobtrail::sidecar
