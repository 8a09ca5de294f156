#include "trail/export/fields.hpp"

#include <arpa/inet.h>

#include <limits>

#include "trail/summary/fields.hpp"
#include "trail/text/exact_bytes.hpp"

namespace jobtrail::exporting {

const json* member(const json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

const json* object_member(const json& obj, std::string_view key) {
  const json* v = member(obj, key);
  return v && v->is_object() ? v : nullptr;
}

std::optional<std::string> string_member(const json& obj, std::string_view key) {
  const json* v = member(obj, key);
  if (!v || !v->is_string()) return std::nullopt;
  return v->get<std::string>();
}

std::optional<std::int64_t> int_member(const json& obj, std::string_view key, std::int64_t lo, std::int64_t hi) {
  const json* v = member(obj, key);
  if (!v) return std::nullopt;
  std::int64_t n = 0;
  if (v->is_number_unsigned()) {
    const auto u = v->get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
    n = static_cast<std::int64_t>(u);
  } else if (v->is_number_integer()) {
    n = v->get<std::int64_t>();
  } else {
    return std::nullopt;
  }
  if (n < lo || n > hi) return std::nullopt;
  return n;
}

std::optional<std::uint64_t> uint_member(const json& obj, std::string_view key) {
  const json* v = member(obj, key);
  if (!v) return std::nullopt;
  if (v->is_number_unsigned()) return v->get<std::uint64_t>();
  if (v->is_number_integer() && v->get<std::int64_t>() >= 0) return static_cast<std::uint64_t>(v->get<std::int64_t>());
  return std::nullopt;
}

std::optional<bool> bool_member(const json& obj, std::string_view key) {
  const json* v = member(obj, key);
  if (!v || !v->is_boolean()) return std::nullopt;
  return v->get<bool>();
}

std::vector<std::string> string_array(const json& obj, std::string_view key, std::size_t limit) {
  std::vector<std::string> out;
  const json* v = member(obj, key);
  if (!v || !v->is_array()) return out;
  for (const auto& e : *v) {
    if (out.size() >= limit) break;
    if (e.is_string()) out.push_back(e.get<std::string>());
  }
  return out;
}

std::optional<std::int64_t> id32_member(const json& obj, std::string_view key) {
  return int_member(obj, key, 0, std::numeric_limits<std::uint32_t>::max());
}

std::optional<std::int64_t> port_member(const json& obj, std::string_view key) { return int_member(obj, key, 0, 65535); }

std::optional<std::int64_t> count_member(const json& obj, std::string_view key) {
  auto v = uint_member(obj, key);
  if (!v || *v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
  return static_cast<std::int64_t>(*v);
}

std::optional<std::string> exec_id_member(const json& obj, std::string_view key) {
  const json* v = member(obj, key);
  if (!v || !(v->is_number_unsigned() || v->is_number_integer() || v->is_string())) return std::nullopt;
  std::string id = summary::id_text(*v);
  if (id.empty() || id == "0") return std::nullopt;
  return id;
}

bool is_ip_text(const std::string& s) {
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

std::optional<std::int64_t> event_time_ms(const json& ev) {
  auto t = string_member(ev, "time");
  if (!t) return std::nullopt;
  auto ns = summary::parse_rfc3339_ns(*t);
  if (!ns) return std::nullopt;
  // Floor division: a time before 1970 stays in its millisecond.
  return *ns / 1'000'000 - (*ns % 1'000'000 < 0 ? 1 : 0);
}

std::optional<HostPort> split_host_port(std::string_view text) {
  HostPort hp;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find("]:");
    if (close == std::string_view::npos) return std::nullopt;
    hp.address = std::string(text.substr(1, close - 1));
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || text.find(':') != colon) return std::nullopt;
    hp.address = std::string(text.substr(0, colon));
    port = text.substr(colon + 1);
  }
  if (hp.address.empty() || port.empty() || port.size() > 5) return std::nullopt;
  std::int64_t p = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return std::nullopt;
    p = p * 10 + (c - '0');
  }
  if (p > 65535) return std::nullopt;
  hp.port = p;
  return hp;
}

std::string base_name(std::string_view path) {
  const auto slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::string command_line(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) {
    if (!out.empty()) out += ' ';
    const bool plain = !a.empty() && a.find_first_of(" \t\n'\"\\$`;&|<>()*?[]{}!#~") == std::string::npos;
    if (plain) {
      out += a;
      continue;
    }
    out += '\'';
    for (char c : a) {
      if (c == '\'') out += "'\\''";
      else out += c;
    }
    out += '\'';
  }
  return out;
}

void copy_exact_bytes(const json& obj, json& out) {
  if (!obj.is_object()) return;
  const std::string_view suffix = text::exact_bytes_suffix;
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    const std::string& k = it.key();
    if (k.size() > suffix.size() && std::string_view(k).substr(k.size() - suffix.size()) == suffix) out[k] = it.value();
  }
}

}  // namespace jobtrail::exporting
