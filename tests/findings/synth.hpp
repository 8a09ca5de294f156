#pragma once
// Synthetic events for the rule tests, shaped as docs/schema.md and docs/net.md describe,
// and a driver that runs them through the real engine.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "trail/findings/engine.hpp"

namespace synth {

using nlohmann::json;

struct Trail {
  std::uint64_t seq = 0;
  std::vector<json> events;
  // process_exec; returns its seq. pid defaults to 1000 + exec_id.
  std::uint64_t exec(std::uint64_t exec_id, std::uint64_t parent, std::string binary, std::vector<std::string> args,
                     json extra = json::object(), std::int64_t pid = -1) {
    json ev = {{"type", "process_exec"},
               {"time", "2026-11-29T00:00:00.000000000Z"},
               {"process",
                {{"pid", pid >= 0 ? pid : 1000 + static_cast<std::int64_t>(exec_id)},
                 {"ns_pid", pid >= 0 ? pid : 1000 + static_cast<std::int64_t>(exec_id)},
                 {"exec_id", exec_id},
                 {"parent_exec_id", parent},
                 {"binary", binary},
                 {"args", args},
                 {"cwd", "/home/runner/_work/r/r"}}},
               {"stdio", {{"stdin", {{"pipe", false}, {"inode", 3}}}, {"stdout", {{"pipe", false}, {"inode", 3}}}}}};
    if (extra.is_object()) ev.merge_patch(extra);
    return add(ev);
  }
  // Any other event of `exec_id` (pid 1000 + exec_id): type, family key and its object.
  std::uint64_t of(std::uint64_t exec_id, const std::string& type, const std::string& key, json body,
                   const std::string& binary = "/usr/bin/x") {
    json ev = {{"type", type},
               {"time", "2026-11-29T00:00:01.000000000Z"},
               {"process", {{"pid", 1000 + static_cast<std::int64_t>(exec_id)}, {"exec_id", exec_id}, {"binary", binary}}},
               {key, body}};
    return add(ev);
  }
  std::uint64_t priv(std::uint64_t exec_id, const std::string& syscall, json args, std::string result = "ok") {
    return of(exec_id, "priv_syscall", "priv", {{"syscall", syscall}, {"args", args}, {"result", result}});
  }
  std::uint64_t open(std::uint64_t exec_id, const std::string& path, std::vector<std::string> mode, std::string result = "ok") {
    return of(exec_id, "file_open", "file", {{"path", path}, {"mode", mode}, {"result", result}, {"count", 1}});
  }
  std::uint64_t connect(std::uint64_t exec_id, const std::string& dst, int port, std::string name = "") {
    json net = {{"protocol", "tcp"}, {"family", dst.find(':') != std::string::npos ? "ipv6" : "ipv4"}, {"src_addr", "10.0.5.240"},
                {"src_port", 40000}, {"dst_addr", dst}, {"dst_port", port}, {"result", "ok"}};
    if (!name.empty()) net["dst_name"] = name;
    return of(exec_id, "net_connect", "net", net);
  }
  std::uint64_t dns_query(std::uint64_t exec_id, const std::string& name) {
    return of(exec_id, "dns_query", "dns", {{"id", 1}, {"name", name}, {"qtype", "A"}, {"server", "10.96.0.10:53"}});
  }
  std::uint64_t dns_answer(std::uint64_t exec_id, const std::string& name, const std::string& addr) {
    return of(exec_id, "dns_answer", "dns",
              {{"id", 1}, {"name", name}, {"qtype", "A"}, {"rcode", "NOERROR"},
               {"answers", json::array({{{"name", name}, {"type", "A"}, {"ttl", 60}, {"data", addr}}})}});
  }
  std::uint64_t add(json ev) {
    ev["seq"] = seq;
    events.push_back(ev);
    return seq++;
  }
  // The finding objects (event["finding"]) the engine derives from the trail.
  std::vector<json> findings(jobtrail::findings::Config cfg = {}) const {
    jobtrail::findings::Engine engine(std::move(cfg));
    std::vector<json> out;
    for (auto& ev : events)
      for (auto& f : engine.on_event(ev)) out.push_back(f["finding"]);
    for (auto& f : engine.finish()) out.push_back(f["finding"]);
    return out;
  }
};

inline json pipes(std::uint64_t in, std::uint64_t out) {
  auto side = [](std::uint64_t inode) { return json{{"pipe", inode != 0}, {"inode", inode ? inode : 3}}; };
  return {{"stdio", {{"stdin", side(in)}, {"stdout", side(out)}}}};
}

// Ids of the findings, in order.
inline std::vector<std::string> ids(const std::vector<json>& fs) {
  std::vector<std::string> out;
  for (auto& f : fs) out.push_back(f["id"]);
  return out;
}

}  // namespace synth
