// Compact lines of the net and dns families (seed post style):
//   🔌 connect ns/pod /usr/bin/curl tcp 10.0.5.240:51234 -> 13.107.42.16:443 (github.com)
//   📤 sendmsg ns/pod /usr/bin/dig udp -> 10.96.0.10:53 datagrams 2 bytes 82
//   🧹 close   ns/pod /usr/bin/curl tcp 10.0.5.240:51234 -> 13.107.42.16:443 sent 2533 received 41230
//   🔎 dns     ns/pod /usr/bin/curl github.com A? -> 10.96.0.10
//   📒 dns     ns/pod /usr/bin/curl github.com A NOERROR 140.82.121.4
#include "trail/events/compact.hpp"
#include "trail/events/types.hpp"

namespace jobtrail::events {
namespace {

using nlohmann::json;

// "1.2.3.4:80" or "[2001:db8::1]:80"; port omitted when absent or 0.
std::string endpoint(const json& net, const char* addr_key, const char* port_key) {
  std::string addr = text(net, addr_key);
  if (addr.empty()) return "?";
  if (addr.find(':') != std::string::npos) addr = "[" + addr + "]";
  auto port = integer(net, port_key, 0);
  return port ? addr + ":" + std::to_string(port) : addr;
}

std::string flow(const json& net) {
  std::string out = text(net, "protocol", "tcp") + " ";
  if (!member(net, "src_addr").is_null()) out += endpoint(net, "src_addr", "src_port") + " ";
  out += "-> " + endpoint(net, "dst_addr", "dst_port");
  if (auto name = text(net, "dst_name"); !name.empty()) out += " (" + name + ")";
  return out;
}

std::string result_suffix(const json& net) {
  std::string r = text(net, "result");
  return r.empty() || r == "ok" ? std::string() : " " + r;
}

std::string format_net(const std::string& type, const json& event, const PodRef& pod) {
  const json& net = member(event, "net");
  const std::string who = pod.text() + " " + process_text(event) + " ";
  if (type == events::type_name::net_connect) return "🔌 connect " + who + flow(net) + result_suffix(net);
  if (type == events::type_name::net_accept) return "📥 accept  " + who + flow(net);
  if (type == events::type_name::net_close)
    return "🧹 close   " + who + flow(net) + " sent " + text(net, "bytes_sent") + " received " +
           text(net, "bytes_received");
  if (type == events::type_name::net_udp)
    return "📤 sendmsg " + who + flow(net) + " datagrams " + text(net, "datagrams") + " bytes " + text(net, "bytes");
  return {};
}

std::string format_dns(const std::string& type, const json& event, const PodRef& pod) {
  const json& dns = member(event, "dns");
  const std::string who = pod.text() + " " + process_text(event) + " ";
  std::string name = text(dns, "name");
  if (name.empty()) name = "?";
  std::string err = text(dns, "error");
  if (type == events::type_name::dns_query) {
    std::string line = "🔎 dns     " + who + name + " " + text(dns, "qtype") + "?";
    if (auto server = text(dns, "server"); !server.empty()) line += " -> " + server;
    if (!err.empty()) line += " malformed: " + err;
    return line;
  }
  if (type == events::type_name::dns_answer) {
    std::string line = "📒 dns     " + who + name;
    for (const char* key : {"qtype", "rcode"})
      if (auto v = text(dns, key); !v.empty()) line += " " + v;
    if (const json& answers = member(dns, "answers"); answers.is_array())
      for (const auto& a : answers)
        if (a.is_object()) line += " " + text(a, "data");
    if (!err.empty()) line += " malformed: " + err;
    return line;
  }
  return {};
}

}  // namespace

std::string format_compact_net(const nlohmann::json& event, const PodRef& pod) {
  const std::string type = text(event, "type");
  if (type.rfind("dns_", 0) == 0) return format_dns(type, event, pod);
  return format_net(type, event, pod);
}

}  // namespace jobtrail::events
