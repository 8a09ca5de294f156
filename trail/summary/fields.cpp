#include "trail/events/types.hpp"
#include "trail/summary/fields.hpp"

#include <ctime>

namespace jobtrail::summary {

namespace {
const json& empty_object() {
  static const json e = json::object();
  return e;
}
const json& family(const json& ev, const char* key) {
  auto it = ev.find(key);
  return it != ev.end() && it->is_object() ? *it : empty_object();
}
std::uint64_t number_of(const json* v) {
  if (!v) return 0;
  if (v->is_number_unsigned()) return v->get<std::uint64_t>();
  if (v->is_number_integer()) return v->get<std::int64_t>() > 0 ? v->get<std::int64_t>() : 0;
  return 0;
}
}  // namespace

std::string id_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_unsigned()) return std::to_string(v.get<std::uint64_t>());
  if (v.is_number_integer()) return std::to_string(v.get<std::int64_t>());
  return {};
}

const json& object_field(const json& obj, const char* key) {
  return obj.is_object() ? family(obj, key) : empty_object();
}

std::string str_field(const json& obj, const char* key) {
  if (!obj.is_object()) return {};
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const json* first_of(const json& obj, std::initializer_list<const char*> keys) {
  if (!obj.is_object()) return nullptr;
  for (auto k : keys)
    if (auto it = obj.find(k); it != obj.end() && !it->is_null()) return &*it;
  return nullptr;
}

std::string event_type(const json& ev) { return str_field(ev, "type"); }
std::string event_time(const json& ev) { return str_field(ev, "time"); }
const json& process_of(const json& ev) { return family(ev, "process"); }
std::string exec_id_of(const json& ev) {
  auto& p = process_of(ev);
  auto it = p.find("exec_id");
  return it == p.end() ? std::string() : id_text(*it);
}
std::string parent_exec_id_of(const json& ev) {
  auto& p = process_of(ev);
  auto it = p.find("parent_exec_id");
  return it == p.end() ? std::string() : id_text(*it);
}
std::string binary_of(const json& ev) { return str_field(process_of(ev), "binary"); }
std::optional<std::int64_t> pid_of(const json& ev) {
  auto& p = process_of(ev);
  auto it = p.find("pid");
  if (it == p.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<std::int64_t>();
}

std::optional<std::int64_t> parse_rfc3339_ns(const std::string& s) {
  // YYYY-MM-DDTHH:MM:SS[.fraction]Z
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      s[13] != ':' || s[16] != ':')
    return std::nullopt;
  auto num = [&](std::size_t pos, std::size_t len) -> int {
    int v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) {
      if (s[i] < '0' || s[i] > '9') return -1;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  std::tm tm{};
  int vals[6] = {num(0, 4), num(5, 2), num(8, 2), num(11, 2), num(14, 2), num(17, 2)};
  for (int v : vals)
    if (v < 0) return std::nullopt;
  tm.tm_year = vals[0] - 1900;
  tm.tm_mon = vals[1] - 1;
  tm.tm_mday = vals[2];
  tm.tm_hour = vals[3];
  tm.tm_min = vals[4];
  tm.tm_sec = vals[5];
  std::size_t i = 19;
  std::int64_t frac = 0;
  int digits = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (digits < 9) frac = frac * 10 + (s[i] - '0'), ++digits;
      ++i;
    }
  }
  while (digits < 9) frac *= 10, ++digits;
  if (i + 1 != s.size() || (s[i] != 'Z' && s[i] != 'z')) return std::nullopt;
  // Nanoseconds since the epoch fit in 64 bits from 1677 to 2262; a time outside is no time.
  std::int64_t ns = 0;
  if (__builtin_mul_overflow(static_cast<std::int64_t>(timegm(&tm)), std::int64_t{1'000'000'000}, &ns) ||
      __builtin_add_overflow(ns, frac, &ns))
    return std::nullopt;
  return ns;
}

std::optional<Endpoint> remote_endpoint(const json& ev) {
  auto& n = family(ev, "net");
  if (n.empty()) return std::nullopt;
  Endpoint e;
  // Either flat fields or a nested remote/dst object.
  const json* nested = first_of(n, {"remote", "dst", "destination", "peer"});
  const json& where = nested && nested->is_object() ? *nested : n;
  if (auto a = first_of(where, {"daddr", "dst_addr", "remote_addr", "remote_ip", "addr", "address", "ip"}); a && a->is_string())
    e.address = a->get<std::string>();
  if (auto p = first_of(where, {"dport", "dst_port", "remote_port", "port"}); p && p->is_number_integer())
    e.port = p->get<std::int64_t>();
  if (auto p = first_of(n, {"protocol", "proto", "l4"}); p && p->is_string()) e.protocol = p->get<std::string>();
  if (e.address.empty()) return std::nullopt;
  return e;
}

std::uint64_t bytes_sent(const json& ev) {
  // net_udp (docs/net.md) counts the datagrams' payload of a flow in `bytes`: all sent.
  if (event_type(ev) == events::type_name::net_udp) return number_of(first_of(family(ev, "net"), {"bytes", "bytes_sent"}));
  return number_of(first_of(family(ev, "net"), {"bytes_sent", "tx_bytes", "sent_bytes", "bytes_out"}));
}
std::uint64_t bytes_received(const json& ev) {
  return number_of(first_of(family(ev, "net"), {"bytes_received", "rx_bytes", "recv_bytes", "received_bytes", "bytes_in"}));
}

std::optional<DnsAnswer> dns_answer(const json& ev) {
  auto& d = family(ev, "dns");
  if (d.empty()) return std::nullopt;
  DnsAnswer a;
  if (auto q = first_of(d, {"name", "question", "qname", "query"}); q && q->is_string()) a.name = q->get<std::string>();
  if (auto list = first_of(d, {"addresses", "answers", "ips"}); list && list->is_array()) {
    for (auto& x : *list) {
      if (x.is_string()) a.addresses.push_back(x.get<std::string>());
      else if (auto v = first_of(x, {"address", "addr", "ip", "data"}); v && v->is_string())
        a.addresses.push_back(v->get<std::string>());
    }
  }
  if (a.name.empty()) return std::nullopt;
  return a;
}

std::string file_path(const json& ev) {
  auto& f = family(ev, "file");
  if (auto p = first_of(f, {"path", "filename", "name"}); p && p->is_string()) return p->get<std::string>();
  return {};
}

bool file_written(const json& ev) {
  const std::string type = event_type(ev);
  auto& f = family(ev, "file");
  // A refused open or change (result: an errno name) wrote nothing: `show` has the attempt.
  if (auto r = first_of(f, {"result"}); r && r->is_string() && r->get<std::string>() != "ok") return false;
  if (type == events::type_name::file_change) return true;
  if (auto w = first_of(f, {"write", "written", "writable"}); w && w->is_boolean()) return w->get<bool>();
  if (number_of(first_of(f, {"bytes_written", "write_bytes"})) > 0) return true;
  // docs/net.md: file_open `mode` is an array of read/write/create/truncate/append.
  if (auto m = first_of(f, {"mode"}); m && m->is_array()) {
    for (auto& x : *m)
      if (x == "write" || x == "create" || x == "truncate" || x == "append") return true;
    return false;
  }
  if (auto a = first_of(f, {"access", "mode", "acc_mode"}); a && a->is_string()) {
    auto s = a->get<std::string>();
    return s.find('w') != std::string::npos || s.find("WR") != std::string::npos;
  }
  if (auto fl = first_of(f, {"flags"}); fl) {
    if (fl->is_number_integer()) return (fl->get<std::int64_t>() & 3) != 0 || (fl->get<std::int64_t>() & 0100) != 0;
    if (fl->is_array())
      for (auto& x : *fl)
        if (x.is_string() && (x == "O_WRONLY" || x == "O_RDWR" || x == "O_CREAT" || x == "O_TRUNC")) return true;
  }
  return false;
}

}  // namespace jobtrail::summary
