#include "trail/text/exact_bytes.hpp"

#include <array>

#include "trail/text/utf8.hpp"

namespace jobtrail::text {

using nlohmann::json;

namespace {
constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr int max_depth = 16;

int sextet(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

std::string sibling(std::string_view key) { return std::string(key) + std::string(exact_bytes_suffix); }

bool preserve_in(json& obj, int depth) {
  if (depth > max_depth) return false;
  bool changed = false;
  std::vector<std::pair<std::string, json>> add;
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    json& v = it.value();
    if (v.is_string()) {
      auto& s = v.get_ref<std::string&>();
      if (is_valid_utf8(s)) continue;
      add.emplace_back(sibling(it.key()), base64_encode(s));
      s = to_valid_utf8(s);
      changed = true;
    } else if (v.is_array()) {
      json exact;  // stays null until an element needs it
      for (std::size_t i = 0; i < v.size(); ++i) {
        json& e = v[i];
        if (e.is_object()) {
          changed |= preserve_in(e, depth + 1);
        } else if (e.is_string() && !is_valid_utf8(e.get_ref<const std::string&>())) {
          if (exact.is_null()) exact = json::array();
          while (exact.size() < i) exact.push_back(nullptr);
          auto& s = e.get_ref<std::string&>();
          exact.push_back(base64_encode(s));
          s = to_valid_utf8(s);
        }
      }
      if (!exact.is_null()) {
        while (exact.size() < v.size()) exact.push_back(nullptr);
        add.emplace_back(sibling(it.key()), std::move(exact));
        changed = true;
      }
    } else if (v.is_object()) {
      changed |= preserve_in(v, depth + 1);
    }
  }
  for (auto& [k, v] : add) obj[k] = std::move(v);
  return changed;
}
}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const auto n = static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16 |
                   static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 1])) << 8 |
                   static_cast<unsigned char>(bytes[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += alphabet[(n >> shift) & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    unsigned n = static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16;
    if (rest == 2) n |= static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += rest == 2 ? alphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    std::array<int, 4> q{};
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = text[i + static_cast<std::size_t>(k)];
      if (c == '=' && last && k >= 2) {
        ++pad;
        q[static_cast<std::size_t>(k)] = 0;
        continue;
      }
      if (pad > 0) return std::nullopt;  // data after padding
      q[static_cast<std::size_t>(k)] = sextet(c);
      if (q[static_cast<std::size_t>(k)] < 0) return std::nullopt;
    }
    const unsigned n = static_cast<unsigned>(q[0]) << 18 | static_cast<unsigned>(q[1]) << 12 |
                       static_cast<unsigned>(q[2]) << 6 | static_cast<unsigned>(q[3]);
    out += static_cast<char>(n >> 16 & 0xff);
    if (pad < 2) out += static_cast<char>(n >> 8 & 0xff);
    if (pad < 1) out += static_cast<char>(n & 0xff);
  }
  return out;
}

bool preserve_exact_bytes(json& event) {
  if (!event.is_object() || !preserve_in(event, 0)) return false;
  event["invalid_utf8"] = true;
  return true;
}

std::optional<std::string> exact_string(const json& obj, std::string_view key) {
  if (!obj.is_object()) return std::nullopt;
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return std::nullopt;
  if (auto b = obj.find(sibling(key)); b != obj.end() && b->is_string())
    if (auto bytes = base64_decode(b->get_ref<const std::string&>())) return bytes;
  return it->get<std::string>();
}

std::vector<std::string> exact_strings(const json& obj, std::string_view key) {
  std::vector<std::string> out;
  if (!obj.is_object()) return out;
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_array()) return out;
  const json* exact = nullptr;
  if (auto b = obj.find(sibling(key)); b != obj.end() && b->is_array()) exact = &*b;
  for (std::size_t i = 0; i < it->size(); ++i) {
    const json& e = (*it)[i];
    if (!e.is_string()) continue;
    if (exact && i < exact->size() && (*exact)[i].is_string())
      if (auto bytes = base64_decode((*exact)[i].get_ref<const std::string&>())) {
        out.push_back(std::move(*bytes));
        continue;
      }
    out.push_back(e.get<std::string>());
  }
  return out;
}

}  // namespace jobtrail::text
