#pragma once
// Pure decoding of the process family's raw ring-buffer records (bpf/events/process.h)
// into schema-v1 JSON (docs/schema.md). No I/O; every size is checked before reading.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace jobtrail::events {

// Splits a NUL-separated block ("a\0b c\0\0") into its strings: {"a", "b c", ""}.
// A missing final NUL still yields the last string (it was cut by truncation).
std::vector<std::string> split_nul(std::string_view block);

// Raw record -> JSON without "seq"/"time"; "ktime_ns" is kept for the caller to convert.
// Returns nullopt (and sets *why) when the record is too short or inconsistent.
std::optional<nlohmann::json> decode_process_record(const void* data, std::size_t size, std::string* why);

// Exit status (kernel wait status) -> {"code": N} or {"signal": N, "signal_name": "KILL", "core_dumped": b}.
nlohmann::json exit_status_json(std::uint32_t status);

// Strings in env entries "NAME=value" -> object {NAME: value}.
nlohmann::json env_entries_json(const std::vector<std::string>& entries);

}  // namespace jobtrail::events
