#pragma once
// Helpers shared by the rule files.
#include <string>

#include "trail/events/types.hpp"
#include "trail/findings/event_view.hpp"
#include "trail/findings/finding.hpp"

namespace jobtrail::findings {

// A finding proven by one event.
inline Finding single(const char* id, const char* severity, std::string title, const json& ev) {
  return {id, severity, std::move(title), {exec_id_of(ev)}, {seq_of(ev)}};
}

// "" when the syscall/open succeeded (or says nothing), else " (failed: EPERM)".
inline std::string failed_suffix(const json& family_obj) {
  auto it = family_obj.find("result");
  if (it == family_obj.end() || (it->is_number() && it->get<double>() >= 0)) return {};  // a returned fd or id
  const std::string r = str_at(family_obj, "result");
  return r.empty() || r == "ok" || r == "0" ? std::string() : " (failed: " + r + ")";
}

// The syscall name and its args object of a priv_syscall event ("" / {} otherwise).
inline std::string priv_syscall(const json& ev) {
  return type_of(ev) == events::type_name::priv_syscall ? str_at(family(ev, "priv"), "syscall") : std::string();
}
inline const json& priv_args(const json& ev) { return family(family(ev, "priv"), "args"); }

// The process text of an event for titles: binary and up to 6 args, cut at 160 characters.
std::string command_text(const json& ev);

// A flags argument that is either a number or a text like "CLONE_NEWUSER|CLONE_NEWNET":
// true if `bit` is set or `name` appears (case-insensitive).
bool has_flag(const json& value, unsigned long bit, const char* name);

// File events: path and whether the open wrote (write/create/truncate/append).
std::string file_path(const json& ev);
bool file_written(const json& ev);

}  // namespace jobtrail::findings
