#pragma once
// job_identity (the job a trail belongs to, or a claim not adopted) and family_missing (a tracer
// family the kernel could not load), docs/schema.md "Types".
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace jobtrail::event {

struct Identity {
  std::optional<std::vector<std::pair<std::string, std::string>>> job;  // GitHub variable, value (exact bytes), by name
  std::optional<std::uint64_t> revealed_by;  // exec_id
  bool mismatch = false;                     // a claim the sidecar did not adopt
  std::optional<std::string> reason;
  bool operator==(const Identity&) const = default;
};

struct FamilyMissing {
  std::string family;
  std::string reason;
  bool operator==(const FamilyMissing&) const = default;
};

}  // namespace jobtrail::event
