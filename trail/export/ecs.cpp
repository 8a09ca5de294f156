#include "trail/export/ecs.hpp"

#include <limits>
#include <optional>
#include <string_view>

#include "trail/events/types.hpp"
#include "trail/export/fields.hpp"

namespace jobtrail::exporting {

namespace {

using nlohmann::json;
using events::Type;

constexpr std::size_t kMaxArgs = std::size_t{1} << 16;  // as in ocsf.cpp: the kernel's 64 KiB of argv
constexpr std::size_t kMaxAnswers = 256;
constexpr std::int64_t kMaxLong = std::numeric_limits<std::int64_t>::max();

std::string directory_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return "";
  return slash == 0 ? "/" : path.substr(0, slash);
}

json process_fields(const json& p, const JobContext& ctx) {
  json o = json::object();
  if (auto v = id32_member(p, "pid")) o["pid"] = *v;
  if (auto v = id32_member(p, "tid")) o["thread"] = {{"id", *v}};
  if (auto id = exec_id_member(p, "exec_id")) o["entity_id"] = ctx.archive_id + ":" + *id;
  if (auto bin = string_member(p, "binary"); bin && !bin->empty()) {
    o["executable"] = *bin;
    o["name"] = base_name(*bin);
  }
  if (auto argv = string_array(p, "args", kMaxArgs); !argv.empty()) {
    o["args_count"] = argv.size();
    o["command_line"] = command_line(argv);
    o["args"] = std::move(argv);
  }
  if (auto cwd = string_member(p, "cwd"); cwd && !cwd->empty()) o["working_directory"] = *cwd;
  if (auto v = id32_member(p, "uid")) o["user"] = {{"id", std::to_string(*v)}};
  if (auto v = id32_member(p, "gid")) o["group"] = {{"id", std::to_string(*v)}};
  json parent = json::object();
  if (auto v = id32_member(p, "ppid")) parent["pid"] = *v;
  if (auto id = exec_id_member(p, "parent_exec_id")) parent["entity_id"] = ctx.archive_id + ":" + *id;
  if (!parent.empty()) o["parent"] = std::move(parent);
  return o;
}

json base_document(const json& ev, const JobContext& ctx, const std::string& type, const char* category,
                   std::initializer_list<const char*> types) {
  json d;
  d["@timestamp"] = *string_member(ev, "time");
  d["ecs"] = {{"version", ecs_version}};
  json event = {{"kind", "event"}, {"category", json::array({category})}, {"type", json::array()}, {"action", type},
                {"module", "jobtrail"}, {"dataset", "jobtrail.trail"}};
  for (const char* t : types) event["type"].push_back(t);
  json jt = {{"type", type}, {"archive_id", ctx.archive_id}};
  if (auto seq = uint_member(ev, "seq")) {
    event["id"] = ctx.archive_id + "/" + std::to_string(*seq);
    if (*seq <= static_cast<std::uint64_t>(kMaxLong)) event["sequence"] = *seq;
    jt["seq"] = *seq;
  }
  d["event"] = std::move(event);
  json labels = {{"jobtrail_archive_id", ctx.archive_id}};
  for (auto it = ctx.job.begin(); it != ctx.job.end(); ++it)
    if (it->is_string()) labels["github_" + it.key()] = *it;
  d["labels"] = std::move(labels);
  if (!ctx.pod_name.empty() || !ctx.pod_namespace.empty()) {
    json o = {{"type", "kubernetes"}, {"resource", {{"type", "pod"}}}};
    if (!ctx.pod_namespace.empty()) o["namespace"] = ctx.pod_namespace;
    if (!ctx.pod_name.empty()) o["resource"]["name"] = ctx.pod_name;
    if (!ctx.pod_uid.empty()) o["resource"]["id"] = ctx.pod_uid;
    d["orchestrator"] = std::move(o);
  }
  if (!ctx.node.empty()) d["host"] = {{"name", ctx.node}};
  if (const json* p = object_member(ev, "process")) {
    json proc = process_fields(*p, ctx);
    if (!proc.empty()) d["process"] = std::move(proc);
    if (const auto* c = object_member(*p, "container"))
      if (auto id = string_member(*c, "id"); id && !id->empty()) d["container"] = {{"id", *id}};
  }
  // The exact bytes ECS cannot hold in a keyword (docs/schema.md, "Bytes that are not UTF-8").
  json exact = json::object();
  for (const char* family : {"process", "file", "net", "dns", "finding"}) {
    json bytes = json::object();
    if (const json* obj = object_member(ev, family)) copy_exact_bytes(*obj, bytes);
    if (!bytes.empty()) exact[family] = std::move(bytes);
  }
  if (!exact.empty()) jt["exact_bytes"] = std::move(exact);
  if (bool_member(ev, "invalid_utf8").value_or(false)) jt["invalid_utf8"] = true;
  d["jobtrail"] = std::move(jt);
  return d;
}

void set_outcome(json& d, const std::optional<std::string>& result) {
  if (!result) return;
  d["event"]["outcome"] = *result == "ok" || *result == "EINPROGRESS" ? "success" : "failure";
  if (*result != "ok") d["error"] = {{"code", *result}};
}

Mapped process_document(const json& ev, const JobContext& ctx, Type t, const std::string& type) {
  const bool exec = t == Type::process_exec;
  json d = base_document(ev, ctx, type, "process", {exec ? "start" : "end"});
  if (!d.contains("process")) return Mapped::bad("no process fields");
  if (exec) {
    d["process"]["start"] = d["@timestamp"];
    if (const json* p = object_member(ev, "process"))
      if (auto cut = bool_member(*p, "args_truncated"); cut && *cut) d["jobtrail"]["args_truncated"] = true;
  } else {
    d["process"]["end"] = d["@timestamp"];
    if (const auto* ex = object_member(ev, "exit")) {
      if (auto code = int_member(*ex, "code", std::numeric_limits<std::int32_t>::min(), std::numeric_limits<std::int32_t>::max()))
        d["process"]["exit_code"] = *code;
      if (auto sig = int_member(*ex, "signal", 0, 1024)) d["jobtrail"]["exit_signal"] = *sig;
      if (auto ns = count_member(*ex, "duration_ns")) d["event"]["duration"] = *ns;
    }
  }
  return {Mapped::Outcome::mapped, {std::move(d)}, {}};
}

json network_end(const std::optional<std::string>& ip, std::optional<std::int64_t> port, const std::optional<std::string>& name) {
  json e = json::object();
  if (ip && is_ip_text(*ip)) e["ip"] = *ip;
  if (port && *port > 0) e["port"] = *port;
  if (name && !name->empty()) e["domain"] = *name;
  return e;
}

Mapped network_document(const json& ev, const JobContext& ctx, Type t, const std::string& type) {
  const json* net = object_member(ev, "net");
  if (!net) return Mapped::bad("no net object");
  const bool incoming = t == Type::net_accept || (t == Type::net_close && string_member(*net, "direction") == "incoming");
  json local = network_end(string_member(*net, "src_addr"), port_member(*net, "src_port"), std::nullopt);
  json remote = network_end(string_member(*net, "dst_addr"), port_member(*net, "dst_port"), string_member(*net, "dst_name"));
  if (local.empty() && remote.empty()) return Mapped::bad("a connection without addresses");
  const bool start = t == Type::net_connect || t == Type::net_accept;
  json d = base_document(ev, ctx, type, "network", {"connection", start ? "start" : t == Type::net_close ? "end" : "info"});
  // ECS's source is the side that opened the connection.
  json& src = incoming ? remote : local;
  json& dst = incoming ? local : remote;
  json network = {{"direction", incoming ? "ingress" : "egress"}};
  if (auto proto = string_member(*net, "protocol")) network["transport"] = *proto;
  if (auto fam = string_member(*net, "family"); fam && (*fam == "ipv4" || *fam == "ipv6")) network["type"] = *fam;
  if (t == Type::net_close) {
    const auto sent = count_member(*net, "bytes_sent"), received = count_member(*net, "bytes_received");
    const auto& from_src = incoming ? received : sent;
    const auto& from_dst = incoming ? sent : received;
    if (from_src) src["bytes"] = *from_src;
    if (from_dst) dst["bytes"] = *from_dst;
    if (from_src && from_dst && *from_src <= kMaxLong - *from_dst) network["bytes"] = *from_src + *from_dst;
    if (auto ns = count_member(*net, "duration_ns")) d["event"]["duration"] = *ns;
  } else if (t == Type::net_udp) {
    if (auto b = count_member(*net, "bytes")) src["bytes"] = *b, network["bytes"] = *b;
    if (auto n = count_member(*net, "datagrams")) src["packets"] = *n, network["packets"] = *n;
  }
  if (!src.empty()) d["source"] = src;
  if (!dst.empty()) d["destination"] = dst;
  d["network"] = std::move(network);
  if (t == Type::net_connect) set_outcome(d, string_member(*net, "result"));
  return {Mapped::Outcome::mapped, {std::move(d)}, {}};
}

Mapped dns_document(const json& ev, const JobContext& ctx, Type t, const std::string& type) {
  const json* dns = object_member(ev, "dns");
  if (!dns) return Mapped::bad("no dns object");
  const bool query = t == Type::dns_query;
  json d = base_document(ev, ctx, type, "network", {"protocol"});
  json e = {{"type", query ? "query" : "answer"}};
  json question = json::object();
  if (auto name = string_member(*dns, "name"); name && !name->empty()) question["name"] = *name;
  if (auto qt = string_member(*dns, "qtype")) question["type"] = *qt;
  if (!question.empty()) e["question"] = std::move(question);
  if (auto id = int_member(*dns, "id", 0, 65535)) e["id"] = std::to_string(*id);
  if (!query) {
    if (auto rc = string_member(*dns, "rcode")) e["response_code"] = *rc;
    json answers = json::array(), resolved = json::array();
    if (const json* a = member(*dns, "answers"); a && a->is_array()) {
      for (const auto& x : *a) {
        if (answers.size() >= kMaxAnswers) break;
        if (!x.is_object()) continue;
        json ans = json::object();
        if (auto v = string_member(x, "name")) ans["name"] = *v;
        if (auto v = string_member(x, "type")) ans["type"] = *v;
        if (auto v = int_member(x, "ttl", 0, std::numeric_limits<std::int32_t>::max())) ans["ttl"] = *v;
        if (auto v = string_member(x, "data"); v && !v->empty()) {
          ans["data"] = *v;
          if (is_ip_text(*v)) resolved.push_back(*v);
        }
        answers.push_back(std::move(ans));
      }
    }
    if (!answers.empty()) e["answers"] = std::move(answers);
    if (!resolved.empty()) e["resolved_ip"] = std::move(resolved);
  }
  d["dns"] = std::move(e);
  json network = {{"protocol", "dns"}, {"direction", "egress"}};
  if (auto tr = string_member(*dns, "transport")) network["transport"] = *tr;
  d["network"] = std::move(network);
  if (auto server = string_member(*dns, "server"))
    if (auto hp = split_host_port(*server)) {
      json s = network_end(hp->address, hp->port, std::nullopt);
      if (!s.empty()) d["destination"] = std::move(s);
    }
  return {Mapped::Outcome::mapped, {std::move(d)}, {}};
}

Mapped file_document(const json& ev, const JobContext& ctx, Type t, const std::string& type) {
  const json* f = object_member(ev, "file");
  if (!f) return Mapped::bad("no file object");
  auto path = string_member(*f, "path");
  if (!path || path->empty()) return Mapped::bad("a file event without a path");
  const char* kind = "access";
  const auto op = string_member(*f, "op").value_or("");
  std::optional<std::string> target;
  if (t == Type::file_open) {
    for (const auto& m : string_array(*f, "mode", 16)) {
      if (m == "create") kind = "creation";
      else if ((m == "write" || m == "truncate" || m == "append") && std::string_view(kind) != "creation") kind = "change";
    }
  } else if (t == Type::file_io) {
    if (count_member(*f, "bytes_written").value_or(0) > 0) kind = "change";
  } else if (op == "unlink" || op == "rmdir") {
    kind = "deletion";
  } else if (op == "symlink" || op == "link") {
    kind = "creation";
    target = string_member(*f, op == "symlink" ? "target" : "new_path");
  } else {
    kind = "change";
  }
  json d = base_document(ev, ctx, type, "file", {kind});
  json file = {{"path", *path}, {"name", base_name(*path)}};
  if (auto dir = directory_of(*path); !dir.empty()) file["directory"] = dir;
  if (target && !target->empty()) file["target_path"] = *target;
  d["file"] = std::move(file);
  if (t == Type::file_change && !op.empty()) d["event"]["action"] = type + ":" + op;
  if (op == "rename")
    if (auto np = string_member(*f, "new_path")) d["jobtrail"]["new_path"] = *np;
  if (auto v = count_member(*f, "bytes_written")) d["jobtrail"]["bytes_written"] = *v;
  if (auto v = count_member(*f, "bytes_read")) d["jobtrail"]["bytes_read"] = *v;
  if (auto v = count_member(*f, "count")) d["jobtrail"]["count"] = *v;
  set_outcome(d, string_member(*f, "result"));
  return {Mapped::Outcome::mapped, {std::move(d)}, {}};
}

struct Severity {
  const char* name;
  int score;  // Elastic's detection-rule risk scores for low/medium/high/critical
};
constexpr Severity kSeverities[] = {{"low", 21}, {"medium", 47}, {"high", 73}, {"critical", 99}};

Mapped finding_document(const json& ev, const JobContext& ctx, const std::string& type) {
  const json* f = object_member(ev, "finding");
  if (!f) return Mapped::bad("no finding object");
  auto id = string_member(*f, "id");
  if (!id || id->empty()) return Mapped::bad("a finding without a rule id");
  json d = base_document(ev, ctx, type, "intrusion_detection", {"indicator"});
  d["event"]["kind"] = "alert";
  const auto sev = string_member(*f, "severity").value_or("");
  for (const auto& s : kSeverities)
    if (sev == s.name) d["event"]["severity"] = s.score;
  const auto title = string_member(*f, "title").value_or(*id);
  d["rule"] = {{"id", *id}, {"name", *id}, {"description", title}, {"ruleset", "jobtrail"}};
  d["message"] = title;
  d["event"]["reason"] = title;
  if (!sev.empty()) d["jobtrail"]["severity"] = sev;
  return {Mapped::Outcome::mapped, {std::move(d)}, {}};
}

}  // namespace

Mapped to_ecs(const json& ev, const JobContext& ctx) {
  auto checked = exportable(ev);
  if (auto* answered = std::get_if<Mapped>(&checked)) return std::move(*answered);
  const auto& e = std::get<Exportable>(checked);
  switch (e.family) {
    case ExportFamily::process: return process_document(ev, ctx, e.type, e.type_text);
    case ExportFamily::network: return network_document(ev, ctx, e.type, e.type_text);
    case ExportFamily::dns: return dns_document(ev, ctx, e.type, e.type_text);
    case ExportFamily::file: return file_document(ev, ctx, e.type, e.type_text);
    case ExportFamily::finding: break;
  }
  return finding_document(ev, ctx, e.type_text);
}

}  // namespace jobtrail::exporting
