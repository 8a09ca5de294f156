#include "sidecar/record_router.hpp"

#include <cstring>

#include "bpf/events/common.h"

namespace jobtrail::sidecar {

namespace {
struct TypeRange {
  std::uint32_t first, last;
  std::string_view family;
};
// One row per family, in the order of by_family_.
constexpr std::array<TypeRange, 4> kRanges{{
    {JT_EV_PROCESS_EXEC, JT_EV_PROCESS_MAX, "process"},
    {JT_EV_FILE_MIN, JT_EV_NET_MIN - 1, "file"},
    {JT_EV_NET_MIN, JT_EV_PRIV_MIN - 1, "net"},  // network and DNS: one family
    {JT_EV_PRIV_MIN, JT_EV_PRIV_MAX, "priv"},
}};

std::optional<std::size_t> range_of(std::uint32_t type) {
  for (std::size_t i = 0; i < kRanges.size(); ++i)
    if (type >= kRanges[i].first && type <= kRanges[i].last) return i;
  return std::nullopt;
}
}  // namespace

std::optional<std::string_view> family_of_type(std::uint32_t type) {
  const auto i = range_of(type);
  return i ? std::optional<std::string_view>(kRanges[*i].family) : std::nullopt;
}

RecordRouter::RecordRouter(const std::vector<std::unique_ptr<Tracer>>& tracers) {
  static_assert(kRanges.size() == kFamilies);
  for (const auto& t : tracers)
    for (std::size_t i = 0; i < kRanges.size(); ++i)
      if (t->name() == kRanges[i].family) by_family_[i] = t.get();
}

RecordRouter::Route RecordRouter::route(const void* data, std::size_t size) const {
  decltype(event_header::type) type = 0;
  if (size < sizeof(event_header)) return {};  // no decoder reads a record without a whole header
  std::memcpy(&type, static_cast<const char*>(data) + offsetof(event_header, type), sizeof type);
  const auto i = range_of(type);
  if (!i) return {};
  return {by_family_[*i], kRanges[*i].family};
}

}  // namespace jobtrail::sidecar
