#pragma once
// An estimate of the heap a nlohmann::json value holds (node, strings, containers), for the
// sidecar's memory budget: what the job makes us keep (argv, paths) is accounted by size,
// not by number of entries. Approximate but never below what is held, up to allocator slack.
#include <cstddef>

#include <nlohmann/json.hpp>

namespace jobtrail::events {

inline std::size_t json_bytes(const nlohmann::json& j) {
  constexpr std::size_t kNode = sizeof(nlohmann::json);
  constexpr std::size_t kMalloc = 16;  // the allocator's header of each heap block
  switch (j.type()) {
    case nlohmann::json::value_t::string: {  // the node points to a heap std::string
      const auto& s = j.get_ref<const std::string&>();
      return kNode + sizeof(std::string) + kMalloc + (s.size() > 15 ? s.capacity() + 1 + kMalloc : 0);
    }
    case nlohmann::json::value_t::array: {
      std::size_t n = kNode + sizeof(nlohmann::json::array_t) + 2 * kMalloc + (j.size() * kNode) / 2;  // vector slack
      for (const auto& v : j) n += json_bytes(v);  // the decoder builds at most 3 levels
      return n;
    }
    case nlohmann::json::value_t::object: {
      std::size_t n = kNode + sizeof(nlohmann::json::object_t) + kMalloc;
      for (const auto& [k, v] : j.items()) n += 48 /* map node */ + sizeof(std::string) + k.size() + json_bytes(v);
      return n;
    }
    default: return kNode;
  }
}

}  // namespace jobtrail::events
