// The summary as text for a terminal: short sections, most important first.
#include <cstdio>
#include <sstream>

#include "trail/summary/summary.hpp"
#include "trail/text/terminal_text.hpp"

namespace jobtrail::summary {

namespace {
// Every value from the trail reaches the terminal through here (or safe()), escaped.
std::string s(const nlohmann::json& v) {
  if (v.is_string()) return text::terminal_safe(v.get_ref<const std::string&>());
  if (v.is_null()) return "-";
  return text::terminal_safe(v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}
std::string safe(const std::string& key) { return text::terminal_safe(key); }
std::string human_bytes(std::uint64_t b) {
  char buf[32];
  if (b < 1024) std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(b));
  else if (b < 1024 * 1024) std::snprintf(buf, sizeof buf, "%.1f KiB", b / 1024.0);
  else std::snprintf(buf, sizeof buf, "%.1f MiB", b / 1048576.0);
  return buf;
}
std::string join(const nlohmann::json& arr, const char* sep = ", ") {
  std::string out;
  for (auto& x : arr) out += (out.empty() ? "" : sep) + s(x);
  return out;
}
}  // namespace

std::string format_text(const nlohmann::json& r) {
  std::ostringstream o;
  auto& id = r["identity"];
  o << "Job\n";
  if (id.is_object() && !id.empty()) {
    for (auto& [k, v] : id.items()) o << "  " << safe(k) << ": " << s(v) << "\n";
    if (auto from = r.find("identity_from"); from != r.end()) o << "  identity from: " << s(*from) << "\n";
  } else {
    o << "  identity unknown (no exec under Runner.Worker seen)\n";
  }
  if (r["pod"].is_object())
    if (auto p = r["pod"].find("pod"); p != r["pod"].end() && p->is_object())
      o << "  pod: " << s(p->value("namespace", nlohmann::json())) << "/" << s(p->value("name", nlohmann::json())) << "\n";
  char dur[64];
  std::snprintf(dur, sizeof dur, "%.3f s", r.value("duration_s", 0.0));
  o << "  start: " << s(r["start"]) << "  end: " << s(r["end"]) << "  duration: " << dur << "\n";
  auto& a = r["archive"];
  o << "  archive: " << (a.value("complete", false) ? "complete" : "INCOMPLETE");
  if (!a.value("complete", false)) o << " (" << s(a.value("incomplete_reason", nlohmann::json(""))) << ")";
  o << "\n\nEvents: " << r["events"].get<std::uint64_t>() << "\n";
  for (auto& [t, n] : r["counts"].items()) o << "  " << safe(t) << ": " << n.get<std::uint64_t>() << "\n";
  auto& p = r["processes"];
  o << "\nProcesses: " << p["execs"] << " execs, " << p["exits"] << " exits, " << p["failed"]
    << " failed (non-zero exit or signal)\nTop binaries:\n";
  for (auto& b : r["top_binaries"]) o << "  " << b["execs"] << "  " << s(b["binary"]) << "\n";
  o << "\nNetwork destinations: " << r["network"].size() << "\n";
  for (auto& d : r["network"]) {
    o << "  " << s(d["address"]) << ":" << d["port"] << "/" << (d["protocol"] == "" ? "?" : s(d["protocol"]));
    if (!d["names"].empty()) o << " (" << join(d["names"]) << ")";
    o << "  " << d["connections"] << " conn, sent " << human_bytes(d["bytes_sent"]) << ", received "
      << human_bytes(d["bytes_received"]) << "  by " << join(d["binaries"]) << "\n";
  }
  o << "\nFiles written outside the workspace (" << s(r["workspace"]) << "): " << r["files_written_outside_workspace"].size() << "\n";
  for (auto& f : r["files_written_outside_workspace"])
    o << "  " << s(f["path"]) << "  " << f["writes"] << "x by " << join(f["binaries"]) << "\n";
  o << "\nPrivilege events: " << r["privilege_total"] << "\n";
  for (auto& e : r["privilege"])
    o << "  " << s(e["time"]) << " " << s(e["type"]) << " " << s(e["binary"]) << " pid " << e["pid"] << " "
      << (e["detail"].is_null() ? "" : s(e["detail"])) << "\n";
  o << "\nFindings: " << r["findings_total"] << "\n";
  for (auto& f : r["findings"])
    o << "  [" << s(f["severity"]) << "] " << s(f["id"]) << ": " << s(f["title"]) << "  (exec " << join(f["exec_ids"])
      << ")\n";
  o << "\nLost events: " << r["lost_total"] << "\n";
  for (auto& [t, n] : r["lost"].items()) o << "  " << safe(t) << ": " << n << "\n";
  if (!r["truncated"].empty()) {
    o << "\nTables cut at their limit (entries not shown):\n";
    for (auto& [t, n] : r["truncated"].items()) o << "  " << safe(t) << ": " << n << "\n";
  }
  return o.str();
}

}  // namespace jobtrail::summary
