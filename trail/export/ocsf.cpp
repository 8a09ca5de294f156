#include "trail/export/ocsf.hpp"

#include <limits>
#include <optional>
#include <string_view>

#include "trail/events/types.hpp"
#include "trail/export/fields.hpp"
#include "trail/version.hpp"

namespace jobtrail::exporting {

namespace {

using nlohmann::json;
using events::Type;

// argv of one exec is at most 64 KiB in the kernel, so at most 64 Ki arguments; an archive
// that claims more is cut here (the full array is still in `unmapped`).
constexpr std::size_t kMaxArgs = std::size_t{1} << 16;
constexpr std::size_t kMaxAnswers = 256;  // a DNS message holds at most ~200 in 1024 captured bytes
constexpr std::int64_t kMaxLong = std::numeric_limits<std::int64_t>::max();

constexpr int kSeverityInformational = 1;
constexpr int kStatusSuccess = 1, kStatusFailure = 2;
constexpr int kDirectionInbound = 1, kDirectionOutbound = 2;
constexpr int kFileTypeUnknown = 0, kFileTypeRegular = 1, kFileTypeFolder = 2, kFileTypeSymlink = 7;
constexpr int kDeviceTypeUnknown = 0;
constexpr char kDnsClass[] = "IN";

// Exec ids number from 1 within one sidecar run: prefixed with the archive they are unique.
std::string process_uid(const JobContext& ctx, const std::string& exec_id) { return ctx.archive_id + ":" + exec_id; }

json file_object(const std::string& path, int type_id) {
  std::string name = base_name(path);
  return {{"path", path}, {"name", name.empty() ? path : name}, {"type_id", type_id}};
}

json process_object(const json& p, const JobContext& ctx) {
  json o = json::object();
  if (auto v = id32_member(p, "pid")) o["pid"] = *v;
  if (auto v = id32_member(p, "tid")) o["tid"] = *v;
  if (auto v = id32_member(p, "ns_pid")) o["namespace_pid"] = *v;
  if (auto id = exec_id_member(p, "exec_id")) o["uid"] = process_uid(ctx, *id);
  if (auto argv = string_array(p, "args", kMaxArgs); !argv.empty()) o["cmd_line"] = command_line(argv);
  if (auto bin = string_member(p, "binary"); bin && !bin->empty()) {
    o["file"] = file_object(*bin, kFileTypeRegular);  // it was executed
    o["name"] = o["file"]["name"];
  }
  if (auto v = id32_member(p, "uid")) o["user"] = {{"uid", std::to_string(*v)}};
  if (const auto* c = object_member(p, "container")) {
    json co = json::object();
    if (auto id = string_member(*c, "id"); id && !id->empty()) co["uid"] = *id;
    if (auto cg = string_member(*c, "cgroup"); cg && !cg->empty()) co["name"] = *cg;
    if (!co.empty()) o["container"] = co;
  } else if (auto name = string_member(p, "container"); name && !name->empty()) {
    o["container"] = {{"name", *name}};
  }
  json parent = json::object();
  if (auto v = id32_member(p, "ppid")) parent["pid"] = *v;
  if (auto id = exec_id_member(p, "parent_exec_id")) parent["uid"] = process_uid(ctx, *id);
  if (!parent.empty()) o["parent_process"] = parent;
  return o;
}

bool usable_process(const json& o) { return o.contains("pid") || o.contains("uid"); }

json device(const JobContext& ctx) {
  json d = {{"type_id", kDeviceTypeUnknown}};
  if (!ctx.pod_name.empty()) d["hostname"] = ctx.pod_name;
  if (!ctx.pod_namespace.empty() && !ctx.pod_name.empty()) d["name"] = ctx.pod_namespace + "/" + ctx.pod_name;
  if (!ctx.pod_uid.empty()) d["uid"] = ctx.pod_uid;
  return d;
}

// The source event whole, but for what the record already says in OCSF terms (time).
json unmapped(const json& ev, const JobContext& ctx) {
  json u = json::object();
  for (auto it = ev.begin(); it != ev.end(); ++it)
    if (it.key() != "time") u[it.key()] = it.value();
  if (!ctx.job.empty()) u["job"] = ctx.job;
  return u;
}

json base_record(const json& ev, const JobContext& ctx, int class_uid, const char* class_name, int activity,
                 const char* activity_name, std::int64_t time_ms) {
  json r;
  r["category_uid"] = class_uid / 1000;
  r["class_uid"] = class_uid;
  r["class_name"] = class_name;
  r["activity_id"] = activity;
  r["activity_name"] = activity_name;
  r["type_uid"] = class_uid * 100 + activity;
  r["severity_id"] = kSeverityInformational;
  r["time"] = time_ms;
  json md = {{"version", ocsf_version},
             {"product", {{"name", "jobtrail"}, {"vendor_name", "jobtrail"}, {"version", std::string(jobtrail::version())}}},
             {"correlation_uid", ctx.archive_id}};
  if (auto seq = uint_member(ev, "seq")) md["uid"] = ctx.archive_id + "/" + std::to_string(*seq);
  r["metadata"] = md;
  r["device"] = device(ctx);
  r["unmapped"] = unmapped(ev, ctx);
  return r;
}

void set_status(json& r, const std::optional<std::string>& result) {
  if (!result) return;
  const bool ok = *result == "ok";
  r["status_id"] = ok ? kStatusSuccess : kStatusFailure;
  r["status"] = ok ? "Success" : "Failure";
  if (!ok) r["status_detail"] = *result;
}

Mapped process_record(const json& ev, const JobContext& ctx, Type t, std::int64_t ms) {
  const json* p = object_member(ev, "process");
  if (!p) return Mapped::bad("no process object");
  json proc = process_object(*p, ctx);
  if (!usable_process(proc)) return Mapped::bad("a process without pid or exec_id");
  const bool exec = t == Type::process_exec;
  json r = base_record(ev, ctx, ocsf_class::process_activity, "Process Activity", exec ? 1 : 2, exec ? "Launch" : "Terminate", ms);
  if (exec) {
    proc["created_time"] = ms;
    // The launcher is the parent; when the trail did not see it, the process stands for itself.
    json actor = proc.contains("parent_process") ? proc["parent_process"] : proc;
    r["actor"] = {{"process", actor}};
  } else {
    proc["terminated_time"] = ms;
    r["actor"] = {{"process", proc}};
    if (const auto* ex = object_member(ev, "exit")) {
      if (auto code = int_member(*ex, "code", std::numeric_limits<std::int32_t>::min(), std::numeric_limits<std::int32_t>::max()))
        r["exit_code"] = *code;
      else if (auto sig = int_member(*ex, "signal", 0, 1024))
        r["status_detail"] = "killed by signal " + std::to_string(*sig) +
                             (string_member(*ex, "signal_name") ? " (" + *string_member(*ex, "signal_name") + ")" : "");
    }
  }
  r["process"] = std::move(proc);
  return {Mapped::Outcome::mapped, {std::move(r)}, {}};
}

json endpoint(const std::optional<std::string>& ip, std::optional<std::int64_t> port, const std::optional<std::string>& name) {
  json e = json::object();
  if (ip && is_ip_text(*ip)) e["ip"] = *ip;
  if (port && *port > 0) e["port"] = *port;
  if (name && !name->empty()) e["hostname"] = *name;
  return e;
}

json connection_info(const json& net, int direction) {
  json c = {{"direction_id", direction}};
  if (auto proto = string_member(net, "protocol")) {
    c["protocol_name"] = *proto;
    if (*proto == "tcp") c["protocol_num"] = 6;
    if (*proto == "udp") c["protocol_num"] = 17;
  } else if (auto transport = string_member(net, "transport")) {
    c["protocol_name"] = *transport;
  }
  if (auto fam = string_member(net, "family")) {
    if (*fam == "ipv4") c["protocol_ver_id"] = 4;
    if (*fam == "ipv6") c["protocol_ver_id"] = 6;
  }
  return c;
}

void set_actor(json& r, const json& ev, const JobContext& ctx) {
  if (const json* p = object_member(ev, "process")) {
    json proc = process_object(*p, ctx);
    if (usable_process(proc)) r["actor"] = {{"process", std::move(proc)}};
  }
}

Mapped network_record(const json& ev, const JobContext& ctx, Type t, std::int64_t ms) {
  const json* net = object_member(ev, "net");
  if (!net) return Mapped::bad("no net object");
  const json local = endpoint(string_member(*net, "src_addr"), port_member(*net, "src_port"), std::nullopt);
  const json remote = endpoint(string_member(*net, "dst_addr"), port_member(*net, "dst_port"), string_member(*net, "dst_name"));
  // OCSF's source is the initiator: the remote peer for what this pod accepted.
  const bool incoming = t == Type::net_accept || (t == Type::net_close && string_member(*net, "direction") == "incoming");
  const json& src = incoming ? remote : local;
  const json& dst = incoming ? local : remote;
  if (src.empty() && dst.empty()) return Mapped::bad("a connection without addresses");
  int activity = 1;
  const char* activity_name = "Open";
  const auto result = string_member(*net, "result");
  switch (t) {
    case Type::net_connect:
      if (result && *result != "ok" && *result != "EINPROGRESS") {
        activity = *result == "ECONNREFUSED" ? 5 : 4;
        activity_name = activity == 5 ? "Refuse" : "Fail";
      }
      break;
    case Type::net_accept: break;
    case Type::net_close: activity = 2, activity_name = "Close"; break;
    default: activity = 6, activity_name = "Traffic"; break;  // net_udp: one record per flow
  }
  json r = base_record(ev, ctx, ocsf_class::network_activity, "Network Activity", activity, activity_name, ms);
  if (!src.empty()) r["src_endpoint"] = src;
  if (!dst.empty()) r["dst_endpoint"] = dst;
  r["connection_info"] = connection_info(*net, incoming ? kDirectionInbound : kDirectionOutbound);
  if (t == Type::net_connect) set_status(r, result);
  json traffic = json::object();
  if (t == Type::net_close) {
    // bytes_out flows from the source to the destination; the pod's own bytes are bytes_sent.
    const auto sent = count_member(*net, "bytes_sent"), received = count_member(*net, "bytes_received");
    const auto& out = incoming ? received : sent;
    const auto& in = incoming ? sent : received;
    if (out) traffic["bytes_out"] = *out;
    if (in) traffic["bytes_in"] = *in;
    if (out && in && *out <= kMaxLong - *in) traffic["bytes"] = *out + *in;
  } else if (t == Type::net_udp) {
    if (auto b = count_member(*net, "bytes")) traffic["bytes_out"] = *b, traffic["bytes"] = *b;
    if (auto d = count_member(*net, "datagrams")) traffic["packets_out"] = *d, traffic["packets"] = *d;
  }
  if (!traffic.empty()) r["traffic"] = traffic;
  set_actor(r, ev, ctx);
  return {Mapped::Outcome::mapped, {std::move(r)}, {}};
}

struct Rcode {
  const char* archive;
  int id;
  const char* caption;
};
constexpr Rcode kRcodes[] = {{"NOERROR", 0, "NoError"}, {"FORMERR", 1, "FormError"}, {"SERVFAIL", 2, "ServError"},
                             {"NXDOMAIN", 3, "NXDomain"}, {"NOTIMP", 4, "NotImp"},   {"REFUSED", 5, "Refused"},
                             {"YXDOMAIN", 6, "YXDomain"}, {"YXRRSET", 7, "YXRRSet"}, {"NXRRSET", 8, "NXRRSet"},
                             {"NOTAUTH", 9, "NotAuth"},   {"NOTZONE", 10, "NotZone"}};

Mapped dns_record(const json& ev, const JobContext& ctx, Type t, std::int64_t ms) {
  const json* dns = object_member(ev, "dns");
  if (!dns) return Mapped::bad("no dns object");
  const bool query = t == Type::dns_query;
  json r = base_record(ev, ctx, ocsf_class::dns_activity, "DNS Activity", query ? 1 : 2, query ? "Query" : "Response", ms);
  // OCSF requires a record class; the archive does not keep it (the decoder skips it), and
  // what a pod's resolver asks for is the Internet class.
  const auto name = string_member(*dns, "name");
  const auto qtype = string_member(*dns, "qtype");
  if (name && !name->empty() && qtype && !qtype->empty()) {
    json q = {{"hostname", *name}, {"type", *qtype}, {"class", kDnsClass}};
    if (auto id = int_member(*dns, "id", 0, 65535)) q["packet_uid"] = *id;
    r["query"] = q;
  }
  if (auto server = string_member(*dns, "server"))
    if (auto hp = split_host_port(*server)) {
      json e = endpoint(hp->address, hp->port, std::nullopt);
      if (!e.empty()) r["dst_endpoint"] = e;  // the resolver, for the question and its answer alike
    }
  // The asking side is the pod (a DNS event carries no local address).
  if (!ctx.pod_name.empty()) r["src_endpoint"] = {{"hostname", ctx.pod_name}};
  if (!r.contains("src_endpoint") && !r.contains("dst_endpoint")) return Mapped::bad("a DNS message without server or pod");
  r["connection_info"] = connection_info(*dns, kDirectionOutbound);
  if (!query) {
    if (auto rc = string_member(*dns, "rcode")) {
      r["rcode_id"] = 99;
      r["rcode"] = *rc;
      for (const auto& k : kRcodes)
        if (*rc == k.archive) r["rcode_id"] = k.id, r["rcode"] = k.caption;
    }
    json answers = json::array();
    if (const json* a = member(*dns, "answers"); a && a->is_array()) {
      for (const auto& e : *a) {
        if (answers.size() >= kMaxAnswers) break;
        if (!e.is_object()) continue;
        auto ty = string_member(e, "type");
        if (!ty || ty->empty()) continue;  // a record without a type is no OCSF answer
        json ans = {{"rdata", string_member(e, "data").value_or("")}, {"type", *ty}, {"class", kDnsClass}};
        if (auto ttl = int_member(e, "ttl", 0, std::numeric_limits<std::int32_t>::max())) ans["ttl"] = *ttl;
        answers.push_back(std::move(ans));
      }
    }
    if (!answers.empty()) r["answers"] = std::move(answers);
  }
  set_actor(r, ev, ctx);
  return {Mapped::Outcome::mapped, {std::move(r)}, {}};
}

struct FileOp {
  const char* op;
  int activity;
  const char* name;
};
// chmod and chown change who may do what with the file: its security, in OCSF's words.
constexpr FileOp kFileOps[] = {{"unlink", 4, "Delete"},       {"rmdir", 4, "Delete"},  {"rename", 5, "Rename"},
                               {"chmod", 7, "Set Security"}, {"chown", 7, "Set Security"}, {"symlink", 1, "Create"},
                               {"link", 1, "Create"}};

Mapped file_record(const json& ev, const JobContext& ctx, Type t, std::int64_t ms) {
  const json* f = object_member(ev, "file");
  if (!f) return Mapped::bad("no file object");
  auto path = string_member(*f, "path");
  if (!path || path->empty()) return Mapped::bad("a file event without a path");
  const json* p = object_member(ev, "process");
  json proc = p ? process_object(*p, ctx) : json::object();
  if (!usable_process(proc)) return Mapped::bad("a file event without its process");
  int activity = 14;  // Open
  const char* activity_name = "Open";
  int type_id = kFileTypeUnknown;
  std::string target = *path;
  std::optional<std::string> renamed_to;
  if (t == Type::file_open) {
    for (const auto& m : string_array(*f, "mode", 16))
      if (m == "directory") type_id = kFileTypeFolder;
  } else if (t == Type::file_io) {
    const bool wrote = count_member(*f, "bytes_written").value_or(0) > 0;
    activity = wrote ? 3 : 2;
    activity_name = wrote ? "Update" : "Read";
  } else {
    const auto op = string_member(*f, "op").value_or("");
    activity = 99;
    activity_name = "Other";
    for (const auto& k : kFileOps)
      if (op == k.op) activity = k.activity, activity_name = k.name;
    if (op == "rmdir") type_id = kFileTypeFolder;
    if (op == "symlink") type_id = kFileTypeSymlink;
    auto new_path = string_member(*f, "new_path");
    if (op == "rename" && new_path && !new_path->empty()) renamed_to = new_path;
    if (op == "link" && new_path && !new_path->empty()) target = *new_path;  // the link made is the new name
  }
  json r = base_record(ev, ctx, ocsf_class::file_activity, "File System Activity", activity, activity_name, ms);
  if (activity == 99 && string_member(*f, "op")) r["activity_name"] = *string_member(*f, "op");
  r["file"] = file_object(target, type_id);
  if (renamed_to) r["file_result"] = file_object(*renamed_to, type_id);
  set_status(r, string_member(*f, "result"));
  r["actor"] = {{"process", std::move(proc)}};
  return {Mapped::Outcome::mapped, {std::move(r)}, {}};
}

struct Severity {
  const char* name;
  int id;
  const char* caption;
};
constexpr Severity kSeverities[] = {{"low", 2, "Low"}, {"medium", 3, "Medium"}, {"high", 4, "High"}, {"critical", 5, "Critical"}};

Mapped finding_record(const json& ev, const JobContext& ctx, std::int64_t ms) {
  const json* f = object_member(ev, "finding");
  if (!f) return Mapped::bad("no finding object");
  auto id = string_member(*f, "id");
  if (!id || id->empty()) return Mapped::bad("a finding without a rule id");
  json r = base_record(ev, ctx, ocsf_class::detection_finding, "Detection Finding", 1, "Create", ms);
  const auto sev = string_member(*f, "severity").value_or("");
  r["severity_id"] = 0;  // Unknown
  for (const auto& s : kSeverities)
    if (sev == s.name) r["severity_id"] = s.id, r["severity"] = s.caption;
  const auto title = string_member(*f, "title").value_or(*id);
  // One finding per event: the event's place in the archive names it.
  const auto seq = uint_member(ev, "seq");
  json info = {{"uid", ctx.archive_id + "/" + (seq ? std::to_string(*seq) : *id)}, {"title", title}, {"types", json::array({*id})},
               {"created_time", ms}};
  r["finding_info"] = std::move(info);
  r["message"] = title;
  r["is_alert"] = true;
  r["status_id"] = 1;  // New
  return {Mapped::Outcome::mapped, {std::move(r)}, {}};
}

}  // namespace

Mapped to_ocsf(const json& ev, const JobContext& ctx) {
  auto checked = exportable(ev);
  if (auto* answered = std::get_if<Mapped>(&checked)) return std::move(*answered);
  const auto& e = std::get<Exportable>(checked);
  switch (e.family) {
    case ExportFamily::process: return process_record(ev, ctx, e.type, e.time_ms);
    case ExportFamily::network: return network_record(ev, ctx, e.type, e.time_ms);
    case ExportFamily::dns: return dns_record(ev, ctx, e.type, e.time_ms);
    case ExportFamily::file: return file_record(ev, ctx, e.type, e.time_ms);
    case ExportFamily::finding: break;
  }
  return finding_record(ev, ctx, e.time_ms);
}

}  // namespace jobtrail::exporting
