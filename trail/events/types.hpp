#pragma once
// The trail's vocabulary in one place: every event type (id and the name the archive carries in
// `type`, docs/schema.md), the names of `lost` events that are not an event type, and the job
// identity variables. Code names these through the constants below, never through a literal, so
// each name is spelled once; the table maps a name back to its id (readers, counters).
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace jobtrail::events {

enum class Type : std::uint8_t {
  process_exec,
  process_exit,
  file_open,
  file_io,
  file_change,
  file_close,
  file_exit,
  net_connect,
  net_accept,
  net_close,
  net_udp,
  dns_query,
  dns_answer,
  priv_syscall,
  capability,
  lost,
  family_missing,
  job_identity,
  finding,
};

// The names as char arrays: they stand wherever a string literal did (JSON keys and values,
// comparisons with std::string, concatenation).
namespace type_name {
inline constexpr char process_exec[] = "process_exec";
inline constexpr char process_exit[] = "process_exit";
inline constexpr char file_open[] = "file_open";
inline constexpr char file_io[] = "file_io";
inline constexpr char file_change[] = "file_change";
inline constexpr char file_close[] = "file_close";
inline constexpr char file_exit[] = "file_exit";
inline constexpr char net_connect[] = "net_connect";
inline constexpr char net_accept[] = "net_accept";
inline constexpr char net_close[] = "net_close";
inline constexpr char net_udp[] = "net_udp";
inline constexpr char dns_query[] = "dns_query";
inline constexpr char dns_answer[] = "dns_answer";
inline constexpr char priv_syscall[] = "priv_syscall";
inline constexpr char capability[] = "capability";
inline constexpr char lost[] = "lost";
inline constexpr char family_missing[] = "family_missing";
inline constexpr char job_identity[] = "job_identity";
inline constexpr char finding[] = "finding";
}  // namespace type_name

struct TypeInfo {
  Type type;
  const char* name;
};

inline constexpr std::array kTypes = {
    TypeInfo{Type::process_exec, type_name::process_exec},     TypeInfo{Type::process_exit, type_name::process_exit},
    TypeInfo{Type::file_open, type_name::file_open},           TypeInfo{Type::file_io, type_name::file_io},
    TypeInfo{Type::file_change, type_name::file_change},       TypeInfo{Type::file_close, type_name::file_close},
    TypeInfo{Type::file_exit, type_name::file_exit},           TypeInfo{Type::net_connect, type_name::net_connect},
    TypeInfo{Type::net_accept, type_name::net_accept},         TypeInfo{Type::net_close, type_name::net_close},
    TypeInfo{Type::net_udp, type_name::net_udp},               TypeInfo{Type::dns_query, type_name::dns_query},
    TypeInfo{Type::dns_answer, type_name::dns_answer},         TypeInfo{Type::priv_syscall, type_name::priv_syscall},
    TypeInfo{Type::capability, type_name::capability},         TypeInfo{Type::lost, type_name::lost},
    TypeInfo{Type::family_missing, type_name::family_missing}, TypeInfo{Type::job_identity, type_name::job_identity},
    TypeInfo{Type::finding, type_name::finding},
};

constexpr bool types_in_id_order() {
  for (std::size_t i = 0; i < kTypes.size(); ++i)
    if (static_cast<std::size_t>(kTypes[i].type) != i) return false;
  return true;
}
static_assert(types_in_id_order(), "kTypes is indexed by Type");

constexpr const char* name_of(Type t) { return kTypes[static_cast<std::size_t>(t)].name; }

// The type named `name`, or nullopt for a name that is no event type (a newer schema, a hostile archive).
constexpr std::optional<Type> type_named(std::string_view name) {
  for (const auto& t : kTypes)
    if (name == t.name) return t.type;
  return std::nullopt;
}

// `lost_type` names beyond the event types (docs/schema.md, `lost`): a family's records no
// decoder accepted, events a later stage failed on, and the kernel's causes before the ring.
namespace lost_type {
inline constexpr char undecodable_prefix[] = "undecodable_";  // + family
inline constexpr char unhandled_prefix[] = "unhandled_";      // + family or event type
inline constexpr char unhandled_findings[] = "unhandled_findings";
inline constexpr char map_full_suffix[] = "_map_full";        // event type + suffix
inline constexpr char no_scratch_suffix[] = "_no_scratch";
inline constexpr char scan_cut_suffix[] = "_scan_cut";
inline constexpr char unknown_cause_infix[] = "_cause_";  // event type + infix + cause number
// Kernel losses of records that are no event type of their own, or of types the family's table
// does not list (a newer BPF object), and the DNS-over-TCP messages the reassembly dropped.
inline constexpr char process_other[] = "process_other";
inline constexpr char net_other[] = "net_other";
inline constexpr char dns_packet[] = "dns_packet";
inline constexpr char dns_tcp_reassembly[] = "dns_tcp_reassembly";
// An archive object the store would not take (the writer gave it up, docs/archive.md): the
// `lost` event names the object, and `count` is the events of a segment (0 for the index).
inline constexpr char upload_given_up[] = "upload_given_up";
// Records the job was still writing into the ring buffer when the sidecar's time to read them at
// the end ran out (sidecar/pipeline.hpp, drain): counted, not decoded.
inline constexpr char unread_at_end[] = "unread_at_end";
}  // namespace lost_type

// The job identity: the GitHub variables a process_exec's `env` may carry (read in the kernel,
// bpf/process.bpf.c) that name the job; `job_identity.job` and the manifest use these keys.
namespace job_var {
inline constexpr char repository[] = "GITHUB_REPOSITORY";
inline constexpr char run_id[] = "GITHUB_RUN_ID";
inline constexpr char run_attempt[] = "GITHUB_RUN_ATTEMPT";
inline constexpr char job[] = "GITHUB_JOB";
inline constexpr char workflow[] = "GITHUB_WORKFLOW";
inline constexpr char workflow_ref[] = "GITHUB_WORKFLOW_REF";
inline constexpr char sha[] = "GITHUB_SHA";
inline constexpr char ref[] = "GITHUB_REF";
inline constexpr char runner_name[] = "RUNNER_NAME";
}  // namespace job_var
inline constexpr std::array<const char*, 9> kJobIdentityVars = {
    job_var::repository, job_var::run_id, job_var::run_attempt, job_var::job,         job_var::workflow,
    job_var::workflow_ref, job_var::sha, job_var::ref,           job_var::runner_name};

}  // namespace jobtrail::events
