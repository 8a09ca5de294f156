#include "sidecar/loss_names.hpp"

#include "bpf/events/common.h"
#include "trail/events/types.hpp"

namespace jobtrail::sidecar {

std::string loss_slot_name(std::uint32_t slot, const LossTable& table) {
  constexpr std::uint32_t kTypes = JT_EV_TYPE_MAX + 1;
  std::string name = table.name_of(slot % kTypes);
  switch (slot / kTypes) {
    case JT_LOSS_RING_FULL: return name;
    case JT_LOSS_MAP_FULL: return name + events::lost_type::map_full_suffix;
    case JT_LOSS_SCRATCH: return name + events::lost_type::no_scratch_suffix;
    case JT_LOSS_SCAN_CUT: return name + events::lost_type::scan_cut_suffix;
  }
  return name + events::lost_type::unknown_cause_infix + std::to_string(slot / kTypes);
}

std::map<std::string, std::uint64_t> name_losses(const std::map<std::uint32_t, std::uint64_t>& slots,
                                                 const LossTable& table) {
  std::map<std::string, std::uint64_t> out;
  for (auto [slot, n] : slots) out[loss_slot_name(slot, table)] += n;
  return out;
}

}  // namespace jobtrail::sidecar
