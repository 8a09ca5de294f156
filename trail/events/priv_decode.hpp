#pragma once
// Pure decoding of the priv family's raw records (bpf/events/priv.h) into schema-v1 JSON
// (docs/schema.md, "Privilege"): syscall name, per-syscall named arguments, result.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace jobtrail::events {

// CLONE_NEW* flags -> ["mnt","uts","ipc","user","pid","net","cgroup","time"].
nlohmann::json namespace_flags(std::uint64_t flags);
// enum jt_priv_host_ns bits -> ["mnt","pid","net","uts","ipc","user","cgroup","time"] (bit order).
nlohmann::json host_namespace_kinds(std::uint16_t host_ns);
// "CAP_SYS_ADMIN" for 21, "CAP_<n>" when unknown.
std::string capability_name(int cap);

std::optional<nlohmann::json> decode_priv_record(const void* data, std::size_t size, std::string* why);

// A file_open event of another process's /proc/<pid>/mem or /proc/<pid>/environ -> the
// priv_syscall it also is ("open_proc_mem" / "open_proc_environ"); nullopt otherwise.
std::optional<nlohmann::json> proc_access_event(const nlohmann::json& file_open);

}  // namespace jobtrail::events
