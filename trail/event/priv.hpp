#pragma once
// priv_syscall (`priv` key) and capability (`capability` key), docs/schema.md "Privilege". The
// arguments differ per syscall and grow with the BPF programs, so besides the typed members the
// whole object is kept as compact JSON text, for the consumers that show it as it is.
#include <cstdint>
#include <optional>
#include <string>

namespace jobtrail::event {

struct Priv {
  std::string syscall;                 // priv_syscall: "mount", "setns", "open_proc_mem", "signal", ...
  std::optional<std::string> result;   // "ok", errno name, or a number as text
  std::string json;                    // the whole `priv` object, compact JSON
  bool operator==(const Priv&) const = default;
};

struct Capability {
  std::string name;  // "CAP_SYS_ADMIN"
  std::uint64_t cap = 0;
  bool granted = false;
  std::uint64_t count = 0;
  std::string json;  // the whole `capability` object, compact JSON
  bool operator==(const Capability&) const = default;
};

}  // namespace jobtrail::event
