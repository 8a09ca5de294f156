#pragma once
// Which tracer decodes a record of the one ring buffer every family writes into: the family that
// owns the range of its event_header.type (bpf/events/common.h: process 1-99, file 100-199, net
// 200-299 and dns 300-399 (both the net family's), priv 400-499). Only the type is read here; the
// family's decoder checks the record's size against everything else. A record whose type is in
// no range, or whose family is not loaded, has no tracer: the caller counts it as a loss.
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "sidecar/tracer.hpp"

namespace jobtrail::sidecar {

// The family (its tracer's name()) owning event type `type`; nullopt when no family does.
std::optional<std::string_view> family_of_type(std::uint32_t type);

class RecordRouter {
 public:
  // The tracers as loaded (a family this kernel could not load is absent); the router keeps
  // pointers into them.
  explicit RecordRouter(const std::vector<std::unique_ptr<Tracer>>& tracers);

  struct Route {
    Tracer* tracer = nullptr;  // decodes the record; nullptr: nobody does
    std::string_view family;   // the type's family; "" when no family owns the type or the
                               // record is too short to hold one (lost_type undecodable_record)
  };
  Route route(const void* data, std::size_t size) const;

 private:
  static constexpr std::size_t kFamilies = 4;
  std::array<Tracer*, kFamilies> by_family_{};
};

}  // namespace jobtrail::sidecar
