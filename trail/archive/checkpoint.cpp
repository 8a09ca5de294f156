#include "trail/archive/checkpoint.hpp"

#include <charconv>
#include <cstdio>

namespace jobtrail::archive {

using nlohmann::json;

namespace {
constexpr std::string_view final_name = "final.json";
constexpr std::uint64_t final_rank = ~std::uint64_t{0};
}  // namespace

std::string checkpoint_prefix(std::string_view archive_prefix) { return "checkpoints/" + std::string(archive_prefix); }

std::string checkpoint_key(std::string_view archive_prefix, const Checkpoint& c) {
  if (c.final) return checkpoint_prefix(archive_prefix) + std::string(final_name);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%06llu.json", static_cast<unsigned long long>(c.segments));
  return checkpoint_prefix(archive_prefix) + buf;
}

std::optional<std::uint64_t> checkpoint_rank(std::string_view name) {
  if (name == final_name) return final_rank;
  if (!name.ends_with(".json")) return std::nullopt;
  auto digits = name.substr(0, name.size() - 5);
  if (digits.size() < 6 || digits.size() > 19) return std::nullopt;
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (ec != std::errc() || p != digits.data() + digits.size() || v == final_rank) return std::nullopt;
  return v;
}

std::string checkpoint_signed_text(const Checkpoint& c) {
  std::string t = "jobtrail-checkpoint-v1\n";
  for (const std::string& line : {c.archive_prefix, c.manifest, std::to_string(c.segments), c.chain_head,
                                  std::to_string(c.events), std::string(c.final ? "1" : "0"), c.manifest_sha256, c.at,
                                  c.key_id}) {
    t += line;
    t += '\n';
  }
  return t;
}

std::string to_json_text(const Checkpoint& c) {
  return json{{"format", "jobtrail-checkpoint"}, {"format_version", 1},
              {"archive_prefix", c.archive_prefix}, {"manifest", c.manifest},
              {"segments", c.segments},           {"chain_head", c.chain_head},
              {"events", c.events},               {"final", c.final},
              {"manifest_sha256", c.manifest_sha256}, {"at", c.at},
              {"alg", "ed25519"},                 {"key_id", c.key_id},
              {"signature", c.signature}}
             .dump(1, ' ', false, json::error_handler_t::replace) + "\n";
}

std::optional<Checkpoint> parse_checkpoint(std::string_view body, std::string& why) {
  if (body.size() > 64 * 1024) {
    why = "larger than 64 KiB";
    return std::nullopt;
  }
  json j = json::parse(body, nullptr, false);
  if (!j.is_object() || j.value("format", json()) != "jobtrail-checkpoint" || j.value("format_version", json()) != 1) {
    why = "not a jobtrail checkpoint of format version 1";
    return std::nullopt;
  }
  Checkpoint c;
  auto text = [&](const char* k, std::string& out) {
    auto it = j.find(k);
    if (it == j.end() || !it->is_string()) return false;
    out = it->get<std::string>();
    return true;
  };
  auto count = [&](const char* k, std::uint64_t& out) {
    auto it = j.find(k);
    if (it == j.end() || !it->is_number_unsigned()) return false;
    out = it->get<std::uint64_t>();
    return true;
  };
  auto fin = j.find("final");
  if (!text("archive_prefix", c.archive_prefix) || !text("manifest", c.manifest) || !count("segments", c.segments) ||
      !text("chain_head", c.chain_head) || !count("events", c.events) || fin == j.end() || !fin->is_boolean() ||
      !text("manifest_sha256", c.manifest_sha256) || !text("at", c.at) || !text("key_id", c.key_id) ||
      !text("signature", c.signature)) {
    why = "a field is missing or of the wrong type";
    return std::nullopt;
  }
  c.final = fin->get<bool>();
  return c;
}

}  // namespace jobtrail::archive
