#include "trail/findings/egress.hpp"

#include <algorithm>
#include <cctype>

#include "trail/events/types.hpp"
#include "trail/findings/address.hpp"
#include "trail/findings/event_view.hpp"

namespace jobtrail::findings {

namespace {
std::string domain(std::string n) {
  std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  while (!n.empty() && n.back() == '.') n.pop_back();
  return n;
}
std::string text(const nlohmann::json& id, const char* a, const char* b) {
  std::string v = str_at(id, a);
  return v.empty() ? str_at(id, b) : v;
}
}  // namespace

void Destinations::note(const std::string& key, const nlohmann::json& ev) {
  if (key.empty() || seen_.count(key)) return;
  if (seen_.size() >= max_) {
    ++dropped_;
    return;
  }
  seen_[key] = {seq_of(ev), exec_id_of(ev), binary_of(ev)};
}

void Destinations::add(const nlohmann::json& ev) {
  const std::string type = type_of(ev);
  if (type == events::type_name::dns_query) {
    note(domain(str_at(family(ev, "dns"), "name")), ev);
  } else if (type == events::type_name::dns_answer) {
    const auto& dns = family(ev, "dns");
    auto it = dns.find("answers");
    if (it == dns.end() || !it->is_array()) return;
    for (auto& a : *it)
      if (answered_.size() < max_) answered_[normalize_address(str_at(a, "data"))] = domain(str_at(dns, "name"));
  } else if (type == events::type_name::net_connect || type == events::type_name::net_udp) {
    const auto& net = family(ev, "net");
    const std::string addr = normalize_address(str_at(net, "dst_addr")), port = str_at(net, "dst_port");
    if (addr.empty() || is_loopback_or_unspecified(addr)) return;
    if (type == events::type_name::net_udp && port == "53") return;
    std::string name = domain(str_at(net, "dst_name"));
    if (name.empty())
      if (auto a = answered_.find(addr); a != answered_.end()) name = a->second;
    note(name.empty() ? (addr.find(':') != std::string::npos ? "[" + addr + "]" : addr) + ":" + port : name, ev);
  }
}

std::set<std::string> Destinations::keys() const {
  std::set<std::string> out;
  for (auto& [k, v] : seen_) out.insert(k);
  return out;
}

std::vector<Finding> new_egress(const Destinations& current, const std::set<std::string>& previous, std::size_t runs) {
  std::vector<Finding> out;
  if (runs == 0) return out;
  for (auto& [dest, first] : current.seen())
    if (!previous.count(dest))
      out.push_back({"new-egress", medium,
                     "new destination for this workflow: " + dest + " (not in the previous " + std::to_string(runs) +
                         " runs) by " + first.binary,
                     {first.exec_id}, {first.seq}});
  std::sort(out.begin(), out.end(), [](const Finding& a, const Finding& b) { return a.evidence < b.evidence; });
  return out;
}

std::string workflow_of(const nlohmann::json& identity) {
  std::string ref = text(identity, "GITHUB_WORKFLOW_REF", "workflow_ref");
  if (!ref.empty()) return ref.substr(0, ref.find('@'));
  return text(identity, "GITHUB_WORKFLOW", "workflow");
}

}  // namespace jobtrail::findings
