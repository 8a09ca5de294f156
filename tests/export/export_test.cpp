// The OCSF and ECS mappings (trail/export/) on events shaped as docs/schema.md, and on hostile ones.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "trail/export/ecs.hpp"
#include "trail/export/exporter.hpp"
#include "trail/export/fields.hpp"
#include "trail/export/ocsf.hpp"

using nlohmann::json;
using namespace jobtrail::exporting;

namespace {

JobContext ctx() {
  JobContext c;
  c.archive_id = "uid-1";
  c.job = {{"repository", "octo/hello"}, {"run_id", "42"}, {"workflow", "ci"}};
  c.pod_name = "runner-abc";
  c.pod_namespace = "ci";
  c.pod_uid = "uid-1";
  c.node = "node-1";
  return c;
}

json proc(int pid = 300) {
  return {{"pid", pid},      {"tid", pid},         {"ppid", 200},     {"ns_pid", 7},
          {"uid", 1001},     {"exec_id", 3},       {"parent_exec_id", 2},
          {"binary", "/usr/bin/curl"}, {"args", {"curl", "-k", "https://x y"}}, {"cwd", "/w"},
          {"container", {{"cgroup", "cri-containerd-ab.scope"}, {"id", "ab"}}}};
}

json one(const Mapped& m) {
  REQUIRE(m.outcome == Mapped::Outcome::mapped);
  REQUIRE(m.records.size() == 1);
  return m.records[0];
}

}  // namespace

TEST_CASE("ocsf: process_exec is a Process Activity launch with argv, parent and container") {
  json ev = {{"type", "process_exec"}, {"time", "2026-11-29T10:00:03.123456789Z"}, {"seq", 5}, {"process", proc()}};
  json r = one(to_ocsf(ev, ctx()));
  CHECK(r["class_uid"] == 1007);
  CHECK(r["category_uid"] == 1);
  CHECK(r["activity_id"] == 1);
  CHECK(r["type_uid"] == 100701);
  CHECK(r["severity_id"] == 1);
  CHECK(r["time"] == 1795946403123LL);
  CHECK(r["metadata"]["version"] == ocsf_version);
  CHECK(r["metadata"]["product"]["name"] == "jobtrail");
  CHECK(r["metadata"]["correlation_uid"] == "uid-1");
  CHECK(r["metadata"]["uid"] == "uid-1/5");
  CHECK(r["process"]["pid"] == 300);
  CHECK(r["process"]["cmd_line"] == "curl -k 'https://x y'");
  CHECK(r["process"]["file"]["path"] == "/usr/bin/curl");
  CHECK(r["process"]["file"]["name"] == "curl");
  CHECK(r["process"]["uid"] == "uid-1:3");
  CHECK(r["process"]["parent_process"]["pid"] == 200);
  CHECK(r["process"]["parent_process"]["uid"] == "uid-1:2");
  CHECK(r["process"]["container"]["uid"] == "ab");
  CHECK(r["actor"]["process"]["pid"] == 200);
  CHECK(r["unmapped"]["process"]["args"] == json({"curl", "-k", "https://x y"}));
  CHECK(r["unmapped"]["job"]["repository"] == "octo/hello");
  CHECK(r["device"]["hostname"] == "runner-abc");
}

TEST_CASE("ocsf: process_exit is a Terminate with exit_code; a signal is no exit code") {
  json ev = {{"type", "process_exit"}, {"time", "2026-11-29T10:00:04Z"}, {"process", proc()},
             {"exit", {{"code", 32}, {"signal", nullptr}}}};
  json r = one(to_ocsf(ev, ctx()));
  CHECK(r["activity_id"] == 2);
  CHECK(r["type_uid"] == 100702);
  CHECK(r["exit_code"] == 32);
  ev["exit"] = {{"code", nullptr}, {"signal", 9}, {"signal_name", "KILL"}};
  r = one(to_ocsf(ev, ctx()));
  CHECK_FALSE(r.contains("exit_code"));
  CHECK(r["status_detail"] == "killed by signal 9 (KILL)");
}

TEST_CASE("ocsf: network connect, refuse, close with bytes, accept and UDP flows") {
  json net = {{"protocol", "tcp"}, {"family", "ipv4"}, {"src_addr", "10.0.5.2"}, {"src_port", 40000},
              {"dst_addr", "140.82.112.3"}, {"dst_port", 443}, {"dst_name", "github.com"}, {"result", "ok"}};
  json ev = {{"type", "net_connect"}, {"time", "2026-11-29T10:00:03Z"}, {"process", proc()}, {"net", net}};
  json r = one(to_ocsf(ev, ctx()));
  CHECK(r["class_uid"] == 4001);
  CHECK(r["category_uid"] == 4);
  CHECK(r["activity_id"] == 1);
  CHECK(r["src_endpoint"]["ip"] == "10.0.5.2");
  CHECK(r["dst_endpoint"] == json({{"ip", "140.82.112.3"}, {"port", 443}, {"hostname", "github.com"}}));
  CHECK(r["connection_info"]["direction_id"] == 2);
  CHECK(r["connection_info"]["protocol_num"] == 6);
  CHECK(r["actor"]["process"]["pid"] == 300);
  ev["net"]["result"] = "ECONNREFUSED";
  r = one(to_ocsf(ev, ctx()));
  CHECK(r["activity_id"] == 5);
  CHECK(r["status_id"] == 2);
  ev["net"]["result"] = "ETIMEDOUT";
  CHECK(one(to_ocsf(ev, ctx()))["activity_id"] == 4);

  ev["type"] = "net_close";
  ev["net"]["bytes_sent"] = 700;
  ev["net"]["bytes_received"] = 12000;
  r = one(to_ocsf(ev, ctx()));
  CHECK(r["activity_id"] == 2);
  CHECK(r["traffic"] == json({{"bytes_out", 700}, {"bytes_in", 12000}, {"bytes", 12700}}));
  // An incoming connection: the peer initiated it, so it is the source and sent the bytes_out.
  ev["net"]["direction"] = "incoming";
  r = one(to_ocsf(ev, ctx()));
  CHECK(r["src_endpoint"]["ip"] == "140.82.112.3");
  CHECK(r["traffic"]["bytes_out"] == 12000);
  CHECK(r["connection_info"]["direction_id"] == 1);

  ev = {{"type", "net_udp"}, {"time", "2026-11-29T10:00:03Z"}, {"process", proc()},
        {"net", {{"protocol", "udp"}, {"dst_addr", "10.96.0.10"}, {"dst_port", 53}, {"datagrams", 2}, {"bytes", 56}}}};
  r = one(to_ocsf(ev, ctx()));
  CHECK(r["activity_id"] == 6);
  CHECK(r["traffic"]["bytes_out"] == 56);
  CHECK(r["traffic"]["packets_out"] == 2);
}

TEST_CASE("ocsf: DNS query and answer") {
  json ev = {{"type", "dns_answer"}, {"time", "2026-11-29T10:00:03Z"}, {"process", proc()},
             {"dns", {{"id", 7}, {"name", "github.com"}, {"qtype", "A"}, {"rcode", "NXDOMAIN"}, {"server", "[fd00::a]:53"},
                      {"answers", {{{"name", "github.com"}, {"type", "A"}, {"ttl", 60}, {"data", "140.82.112.3"}}}}}}};
  json r = one(to_ocsf(ev, ctx()));
  CHECK(r["class_uid"] == 4003);
  CHECK(r["activity_id"] == 2);
  CHECK(r["query"] == json({{"hostname", "github.com"}, {"type", "A"}, {"class", "IN"}, {"packet_uid", 7}}));
  CHECK(r["rcode_id"] == 3);
  CHECK(r["answers"][0]["rdata"] == "140.82.112.3");
  CHECK(r["dst_endpoint"] == json({{"ip", "fd00::a"}, {"port", 53}}));
  ev["type"] = "dns_query";
  r = one(to_ocsf(ev, ctx()));
  CHECK(r["activity_id"] == 1);
  CHECK_FALSE(r.contains("answers"));
}

TEST_CASE("ocsf: file events and findings") {
  json ev = {{"type", "file_change"}, {"time", "2026-11-29T10:00:08Z"}, {"process", proc()},
             {"file", {{"op", "rename"}, {"path", "/var/tmp/a"}, {"new_path", "/var/tmp/b"}, {"result", "ok"}}}};
  json r = one(to_ocsf(ev, ctx()));
  CHECK(r["class_uid"] == 1001);
  CHECK(r["activity_id"] == 5);
  CHECK(r["file"]["path"] == "/var/tmp/a");
  CHECK(r["file_result"]["path"] == "/var/tmp/b");
  CHECK(r["status_id"] == 1);
  ev["file"] = {{"path", "/tmp/tool.sh"}, {"mode", {"write", "create"}}, {"result", "EACCES"}};
  ev["type"] = "file_open";
  r = one(to_ocsf(ev, ctx()));
  CHECK(r["activity_id"] == 14);
  CHECK(r["status_detail"] == "EACCES");

  ev = {{"type", "finding"}, {"time", "2026-11-29T10:00:03Z"}, {"seq", 9}, {"process", proc()},
        {"finding", {{"id", "tls-verify-disabled"}, {"severity", "high"}, {"title", "curl -k"}, {"exec_ids", {3}}}}};
  r = one(to_ocsf(ev, ctx()));
  CHECK(r["class_uid"] == 2004);
  CHECK(r["category_uid"] == 2);
  CHECK(r["type_uid"] == 200401);
  CHECK(r["severity_id"] == 4);
  CHECK(r["finding_info"]["uid"] == "uid-1/9");
  CHECK(r["finding_info"]["types"] == json({"tls-verify-disabled"}));
}

TEST_CASE("ecs: process, network, DNS, file and finding fields") {
  json ev = {{"type", "process_exec"}, {"time", "2026-11-29T10:00:03Z"}, {"seq", 1}, {"process", proc()}};
  json d = one(to_ecs(ev, ctx()));
  CHECK(d["@timestamp"] == "2026-11-29T10:00:03Z");
  CHECK(d["event"]["category"] == json({"process"}));
  CHECK(d["event"]["type"] == json({"start"}));
  CHECK(d["process"]["args"] == json({"curl", "-k", "https://x y"}));
  CHECK(d["process"]["executable"] == "/usr/bin/curl");
  CHECK(d["process"]["parent"]["pid"] == 200);
  CHECK(d["labels"]["github_repository"] == "octo/hello");
  CHECK(d["labels"]["jobtrail_archive_id"] == "uid-1");
  CHECK(d["orchestrator"]["resource"]["name"] == "runner-abc");
  CHECK(d["container"]["id"] == "ab");

  ev = {{"type", "process_exit"}, {"time", "2026-11-29T10:00:04Z"}, {"process", proc()}, {"exit", {{"code", 2}}}};
  CHECK(one(to_ecs(ev, ctx()))["process"]["exit_code"] == 2);

  ev = {{"type", "net_close"}, {"time", "2026-11-29T10:00:04Z"}, {"process", proc()},
        {"net", {{"protocol", "tcp"}, {"src_addr", "10.0.5.2"}, {"dst_addr", "140.82.112.3"}, {"dst_port", 443},
                 {"bytes_sent", 700}, {"bytes_received", 12000}}}};
  d = one(to_ecs(ev, ctx()));
  CHECK(d["source"]["bytes"] == 700);
  CHECK(d["destination"]["bytes"] == 12000);
  CHECK(d["network"]["bytes"] == 12700);
  CHECK(d["network"]["direction"] == "egress");

  ev = {{"type", "dns_query"}, {"time", "2026-11-29T10:00:04Z"}, {"process", proc()},
        {"dns", {{"name", "github.com"}, {"qtype", "AAAA"}, {"server", "10.96.0.10:53"}}}};
  d = one(to_ecs(ev, ctx()));
  CHECK(d["dns"]["question"]["name"] == "github.com");
  CHECK(d["destination"]["port"] == 53);

  ev = {{"type", "file_open"}, {"time", "2026-11-29T10:00:04Z"}, {"process", proc()},
        {"file", {{"path", "/tmp/tool.sh"}, {"mode", {"write", "create"}}, {"result", "ok"}}}};
  d = one(to_ecs(ev, ctx()));
  CHECK(d["file"]["path"] == "/tmp/tool.sh");
  CHECK(d["file"]["directory"] == "/tmp");
  CHECK(d["event"]["type"] == json({"creation"}));

  ev = {{"type", "finding"}, {"time", "2026-11-29T10:00:04Z"}, {"process", proc()},
        {"finding", {{"id", "pipe-to-shell"}, {"severity", "critical"}, {"title", "curl | sh"}}}};
  d = one(to_ecs(ev, ctx()));
  CHECK(d["event"]["kind"] == "alert");
  CHECK(d["rule"]["name"] == "pipe-to-shell");
  CHECK(d["event"]["severity"] == 99);
}

TEST_CASE("hostile fields: numbers of the wrong kind or range are left out, never thrown on") {
  json p = proc();
  p["pid"] = "300";                         // a string
  p["ppid"] = 1.5;                          // not an integer
  p["tid"] = json(std::uint64_t{1} << 40);  // past 32 bits
  p["args"] = {"sh", 7, nullptr, "-c"};     // non-strings are skipped
  json ev = {{"type", "net_connect"}, {"time", "2026-11-29T10:00:03Z"}, {"process", p},
             {"net", {{"dst_addr", "not an address"}, {"dst_port", -1}, {"src_addr", "10.0.0.1"}, {"src_port", 70000},
                      {"dst_name", 12}}}};
  json r = one(to_ocsf(ev, ctx()));
  CHECK_FALSE(r.contains("dst_endpoint"));
  CHECK(r["src_endpoint"] == json({{"ip", "10.0.0.1"}}));
  CHECK_FALSE(r["actor"]["process"].contains("pid"));
  CHECK_FALSE(r["actor"]["process"].contains("tid"));
  CHECK(r["actor"]["process"]["cmd_line"] == "sh -c");
  CHECK_FALSE(r["actor"]["process"]["parent_process"].contains("pid"));
  json d = one(to_ecs(ev, ctx()));
  CHECK_FALSE(d.contains("destination"));

  // Counts past 2^63 are not a long.
  ev["type"] = "net_close";
  ev["net"] = {{"dst_addr", "1.2.3.4"}, {"bytes_sent", json(~std::uint64_t{0})}, {"bytes_received", 5}};
  r = one(to_ocsf(ev, ctx()));
  CHECK(r["traffic"] == json({{"bytes_in", 5}}));
}

TEST_CASE("events that cannot map are counted, by kind, and never stop the export") {
  Exporter x(Format::ocsf, ctx());
  std::string out;
  x.add(json{{"type", "capability"}, {"time", "2026-11-29T10:00:03Z"}}, out);
  x.add(json{{"type", "some_future_type"}, {"time", "2026-11-29T10:00:03Z"}}, out);
  x.add(json{{"type", "process_exec"}, {"time", "yesterday"}, {"process", proc()}}, out);
  x.add(json{{"type", "net_connect"}, {"time", "2026-11-29T10:00:03Z"}, {"net", "a string"}}, out);
  x.add(json{{"type", "file_open"}, {"time", "2026-11-29T10:00:03Z"}, {"process", proc()}, {"file", {{"path", 5}}}}, out);
  x.add(json::array({1, 2}), out);
  x.add(json{{"type", "process_exec"}, {"time", "2026-11-29T10:00:03Z"}, {"process", proc()}}, out);
  CHECK(x.tally().events == 7);
  CHECK(x.tally().records == 1);
  CHECK(x.tally().no_class.at("capability") == 1);
  CHECK(x.tally().no_class.at("some_future_type") == 1);
  CHECK(x.tally().invalid.at("process_exec") == 1);
  CHECK(x.tally().invalid.at("net_connect") == 1);
  CHECK(x.tally().invalid.at("file_open") == 1);
  CHECK(x.tally().invalid.at("(no type)") == 1);
  CHECK(x.tally().first_invalid == "process_exec: no RFC 3339 time");
  CHECK(std::count(out.begin(), out.end(), '\n') == 1);
  CHECK(tally_text(x.tally(), Format::ocsf).find("could not map: (no type) 1, file_open 1, net_connect 1, process_exec 1") !=
        std::string::npos);
}

TEST_CASE("strings that are not UTF-8: lines stay valid UTF-8 and the exact bytes travel along") {
  json p = proc();
  p["args"] = {"/bin/echo", "\xff\xfe"};  // as a decoder could hand them over before the writer
  p["args_b64"] = {nullptr, "//4="};
  json ev = {{"type", "process_exec"}, {"time", "2026-11-29T10:00:03Z"}, {"process", p}, {"invalid_utf8", true}};
  for (Format f : {Format::ocsf, Format::ecs}) {
    Exporter x(f, ctx());
    std::string out;
    x.add(ev, out);
    REQUIRE(x.tally().records == 1);
    json line = json::parse(out);  // throws on invalid UTF-8
    if (f == Format::ocsf) CHECK(line["unmapped"]["process"]["args_b64"][1] == "//4=");
    else CHECK(line["jobtrail"]["exact_bytes"]["process"]["args_b64"][1] == "//4=");
  }
}

TEST_CASE("the job identity comes from the first job_identity event when the manifest has none") {
  JobContext c = ctx();
  c.job = json::object();
  Exporter x(Format::ecs, c);
  std::string out;
  x.add(json{{"type", "job_identity"}, {"time", "2026-11-29T10:00:02Z"}, {"job", {{"GITHUB_REPOSITORY", "o/r"}, {"GITHUB_RUN_ID", 5}}}}, out);
  x.add(json{{"type", "job_identity"}, {"mismatch", true}, {"job", {{"GITHUB_REPOSITORY", "evil/r"}}}}, out);
  x.add(json{{"type", "process_exec"}, {"time", "2026-11-29T10:00:03Z"}, {"process", proc()}}, out);
  json d = json::parse(out);
  CHECK(d["labels"]["github_repository"] == "o/r");
  CHECK_FALSE(d["labels"].contains("github_run_id"));  // a number is not an identity value
}

TEST_CASE("fields: host:port, command lines") {
  CHECK(split_host_port("10.96.0.10:53")->port == 53);
  CHECK(split_host_port("[::1]:5353")->address == "::1");
  CHECK_FALSE(split_host_port("::1"));
  CHECK_FALSE(split_host_port("1.2.3.4:99999"));
  CHECK_FALSE(split_host_port("1.2.3.4:"));
  CHECK(command_line({"sh", "-c", "echo 'hi'", ""}) == "sh -c 'echo '\\''hi'\\''' ''");
}
