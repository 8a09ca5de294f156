// Compact lines of the net and dns families (seed post style):
//   🔌 connect ns/pod /usr/bin/curl tcp 10.0.5.240:51234 -> 13.107.42.16:443 (github.com)
//   📤 sendmsg ns/pod /usr/bin/dig udp -> 10.96.0.10:53 datagrams 2 bytes 82
//   🧹 close   ns/pod /usr/bin/curl tcp 10.0.5.240:51234 -> 13.107.42.16:443 sent 2533 received 41230
//   🔎 dns     ns/pod /usr/bin/curl github.com A? -> 10.96.0.10
//   📒 dns     ns/pod /usr/bin/curl github.com A NOERROR 140.82.121.4
#include "trail/events/compact.hpp"

namespace jobtrail::events {
namespace {

using nlohmann::json;

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return {};
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number()) return it->dump();
  return {};
}

// "1.2.3.4:80" or "[2001:db8::1]:80"; port omitted when absent or 0.
std::string endpoint(const json& net, const char* addr_key, const char* port_key) {
  std::string addr = str(net, addr_key);
  if (addr.empty()) return "?";
  if (addr.find(':') != std::string::npos) addr = "[" + addr + "]";
  auto port = net.value(port_key, 0);
  return port ? addr + ":" + std::to_string(port) : addr;
}

std::string flow(const json& net) {
  std::string out = net.value("protocol", std::string("tcp")) + " ";
  if (net.contains("src_addr")) out += endpoint(net, "src_addr", "src_port") + " ";
  out += "-> " + endpoint(net, "dst_addr", "dst_port");
  if (auto name = str(net, "dst_name"); !name.empty()) out += " (" + name + ")";
  return out;
}

std::string result_suffix(const json& net) {
  std::string r = str(net, "result");
  return r.empty() || r == "ok" ? std::string() : " " + r;
}

std::string format_net(const std::string& type, const json& event, const PodRef& pod) {
  const json net = event.value("net", json::object());
  const std::string who = pod.text() + " " + process_text(event) + " ";
  if (type == "net_connect") return "🔌 connect " + who + flow(net) + result_suffix(net);
  if (type == "net_accept") return "📥 accept  " + who + flow(net);
  if (type == "net_close") {
    std::string line = "🧹 close   " + who + flow(net) + " sent " + str(net, "bytes_sent") + " received " +
                       str(net, "bytes_received");
    return line;
  }
  if (type == "net_udp")
    return "📤 sendmsg " + who + flow(net) + " datagrams " + str(net, "datagrams") + " bytes " + str(net, "bytes");
  return {};
}

std::string format_dns(const std::string& type, const json& event, const PodRef& pod) {
  const json dns = event.value("dns", json::object());
  const std::string who = pod.text() + " " + process_text(event) + " ";
  std::string name = str(dns, "name");
  if (name.empty()) name = "?";
  std::string err = str(dns, "error");
  if (type == "dns_query") {
    std::string line = "🔎 dns     " + who + name + " " + str(dns, "qtype") + "?";
    if (auto server = str(dns, "server"); !server.empty()) line += " -> " + server;
    if (!err.empty()) line += " malformed: " + err;
    return line;
  }
  if (type == "dns_answer") {
    std::string line = "📒 dns     " + who + name;
    for (const char* key : {"qtype", "rcode"})
      if (auto v = str(dns, key); !v.empty()) line += " " + v;
    for (const auto& a : dns.value("answers", json::array()))
      if (a.is_object()) line += " " + str(a, "data");
    if (!err.empty()) line += " malformed: " + err;
    return line;
  }
  return {};
}

}  // namespace

std::string format_compact_net(const nlohmann::json& event, const PodRef& pod) {
  const std::string type = event.value("type", std::string());
  if (type.rfind("dns_", 0) == 0) return format_dns(type, event, pod);
  return format_net(type, event, pod);
}

}  // namespace jobtrail::events
