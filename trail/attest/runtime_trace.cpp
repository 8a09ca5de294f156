#include "trail/attest/runtime_trace.hpp"

#include "trail/text/exact_bytes.hpp"

namespace jobtrail::attest {

using nlohmann::json;

namespace {
std::string text_of(const json& id, std::initializer_list<const char*> names) {
  if (!id.is_object()) return "";
  for (const char* n : names) {
    auto it = id.find(n);
    if (it == id.end()) continue;
    if (it->is_string() && !it->get_ref<const std::string&>().empty()) return it->get<std::string>();
    if (it->is_number_integer()) return std::to_string(it->get<long long>());
  }
  return "";
}

const json& member(const json& j, const char* key) {
  static const json none;
  if (!j.is_object()) return none;
  auto it = j.find(key);
  return it == j.end() ? none : *it;
}

json array_or_empty(const json& j) { return j.is_array() ? j : json::array(); }
}  // namespace

std::string run_url(const json& identity) {
  auto repo = text_of(identity, {"repository", "GITHUB_REPOSITORY"});
  auto run = text_of(identity, {"run_id", "GITHUB_RUN_ID"});
  if (repo.empty() || run.empty()) return "";
  auto attempt = text_of(identity, {"run_attempt", "GITHUB_RUN_ATTEMPT"});
  auto server = text_of(identity, {"server_url", "GITHUB_SERVER_URL"});
  if (server.empty()) server = "https://github.com";
  return server + "/" + repo + "/actions/runs/" + run + "/attempts/" + (attempt.empty() ? "1" : attempt);
}

json runtime_trace_statement(const archive::Manifest& m, const json& summary, const TraceFacts& f) {
  const std::string url = run_url(m.job_identity);
  json process = json::array();
  const json& procs = member(summary, "processes");
  process.push_back({{"eventType", "summary"}, {"execs", member(procs, "execs")}, {"exits", member(procs, "exits")},
                     {"failed", member(procs, "failed")}});
  for (const auto& b : array_or_empty(member(summary, "top_binaries")))
    process.push_back({{"eventType", "process"}, {"processBinary", member(b, "binary")}, {"execs", member(b, "execs")}});
  json network = json::array();
  for (const auto& n : array_or_empty(member(summary, "network"))) {
    json e = {{"ip", member(n, "address")}, {"port", member(n, "port")}, {"protocol", member(n, "protocol")},
              {"connections", member(n, "connections")}, {"bytesSent", member(n, "bytes_sent")},
              {"bytesReceived", member(n, "bytes_received")},
              {"invokingProcess", {{"binaries", array_or_empty(member(n, "binaries"))}}}};
    const json& names = member(n, "names");
    if (names.is_array() && !names.empty()) e["hostname"] = names.front();
    network.push_back(std::move(e));
  }
  json files = json::array();
  for (const auto& w : array_or_empty(member(summary, "files_written_outside_workspace")))
    files.push_back({{"name", member(w, "path")},
                     {"annotations", {{"access", "write"}, {"writes", member(w, "writes")},
                                      {"binaries", array_or_empty(member(w, "binaries"))}}}});
  return {
      {"_type", statement_type},
      {"subject", {{{"name", f.manifest_key}, {"digest", {{"sha256", f.manifest_sha256}}}}}},
      {"predicateType", predicate_type},
      {"predicate",
       {{"monitor", {{"type", monitor_type}, {"version", m.writer_version}}},
        {"monitoredProcess",
         {{"hostID", url.empty() ? "urn:jobtrail:archive" : "https://github.com"},
          {"type", url.empty() ? "urn:jobtrail:pod" : "https://actions.github.io/buildtypes/workflow/v1"},
          {"event", url.empty() ? "urn:jobtrail:archive:" + m.archive_id : url}}},
        {"monitorLog", {{"process", process}, {"network", network}, {"fileAccess", files}}},
        {"metadata",
         {{"buildStartedOn", m.started_at},
          {"buildFinishedOn", m.ended_at},
          // Extension fields (the predicate allows them): what a release gate checks.
          {"jobtrail",
           {{"archivePrefix", m.archive_prefix},
            {"archiveId", m.archive_id},
            {"complete", m.complete},
            {"events", m.events},
            {"lostTotal", member(summary, "lost_total")},
            {"findings", array_or_empty(member(summary, "findings")).size()},
            {"verdict", f.verdict},
            {"problems", f.problems},
            {"signedBy", f.key_id}}}}}}}};
}

std::string dsse_pae(std::string_view type, std::string_view body) {
  std::string out = "DSSEv1 " + std::to_string(type.size()) + " ";
  out += type;
  out += " " + std::to_string(body.size()) + " ";
  out += body;
  return out;
}

json dsse_envelope(std::string_view type, std::string_view body, const sign::PrivateKey& key) {
  return {{"payloadType", type},
          {"payload", text::base64_encode(body)},
          {"signatures", {{{"keyid", key.key_id()}, {"sig", text::base64_encode(key.sign(dsse_pae(type, body)))}}}}};
}

}  // namespace jobtrail::attest
