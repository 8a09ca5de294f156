// The compact lines of the file, net, dns and priv families (pure).
#include <doctest/doctest.h>

#include "trail/events/compact.hpp"

using jobtrail::events::format_compact;
using jobtrail::events::PodRef;
using nlohmann::json;

namespace {
json with_process(json e, const char* binary) {
  e["process"] = {{"pid", 42}, {"exec_id", 7}, {"binary", binary}, {"args", json::array({binary})}};
  return e;
}
const PodRef pod{"ci", "runner-x"};
}  // namespace

TEST_CASE("compact: connect with name, close with byte totals, refused") {
  json c = with_process({{"type", "net_connect"},
                         {"net", {{"protocol", "tcp"}, {"src_addr", "10.0.5.240"}, {"src_port", 51234},
                                  {"dst_addr", "13.107.42.16"}, {"dst_port", 443}, {"dst_name", "github.com"},
                                  {"result", "ok"}}}},
                        "/usr/bin/curl");
  CHECK(format_compact(c, pod) ==
        "🔌 connect ci/runner-x /usr/bin/curl tcp 10.0.5.240:51234 -> 13.107.42.16:443 (github.com)");
  json close = c;
  close["type"] = "net_close";
  close["net"]["bytes_sent"] = 2533;
  close["net"]["bytes_received"] = 41230;
  CHECK(format_compact(close, pod) == "🧹 close   ci/runner-x /usr/bin/curl tcp 10.0.5.240:51234 -> "
                                      "13.107.42.16:443 (github.com) sent 2533 received 41230");
  json refused = with_process({{"type", "net_connect"},
                               {"net", {{"protocol", "tcp"}, {"dst_addr", "::1"}, {"dst_port", 9},
                                        {"result", "ECONNREFUSED"}}}},
                              "/usr/bin/nc");
  CHECK(format_compact(refused, pod) == "🔌 connect ci/runner-x /usr/bin/nc tcp -> [::1]:9 ECONNREFUSED");
}

TEST_CASE("compact: udp flow and dns") {
  json u = with_process({{"type", "net_udp"},
                         {"net", {{"protocol", "udp"}, {"dst_addr", "10.96.0.10"}, {"dst_port", 53},
                                  {"datagrams", 2}, {"bytes", 82}}}},
                        "/usr/bin/dig");
  CHECK(format_compact(u, pod) == "📤 sendmsg ci/runner-x /usr/bin/dig udp -> 10.96.0.10:53 datagrams 2 bytes 82");
  json q = with_process({{"type", "dns_query"},
                         {"dns", {{"name", "github.com"}, {"qtype", "A"}, {"server", "10.96.0.10:53"}}}},
                        "/usr/bin/dig");
  CHECK(format_compact(q, pod) == "🔎 dns     ci/runner-x /usr/bin/dig github.com A? -> 10.96.0.10:53");
  json a = with_process({{"type", "dns_answer"},
                         {"dns", {{"name", "github.com"}, {"qtype", "A"}, {"rcode", "NOERROR"},
                                  {"answers", json::array({{{"type", "A"}, {"data", "140.82.121.4"}}})}}}},
                        "/usr/bin/dig");
  CHECK(format_compact(a, pod) == "📒 dns     ci/runner-x /usr/bin/dig github.com A NOERROR 140.82.121.4");
  json bad = with_process({{"type", "dns_answer"}, {"dns", {{"error", "truncated header"}}}}, "/usr/bin/dig");
  CHECK(format_compact(bad, pod) == "📒 dns     ci/runner-x /usr/bin/dig ? malformed: truncated header");
}

TEST_CASE("compact: file open folded, change, priv, capability") {
  json o = with_process({{"type", "file_open"},
                         {"file", {{"path", "/src/main.c"}, {"mode", json::array({"read"})}, {"count", 12},
                                   {"result", "ok"}, {"bytes_read", 4096}, {"bytes_written", 0}}}},
                        "/usr/bin/cc");
  CHECK(format_compact(o, pod) == "📂 open    ci/runner-x /usr/bin/cc /src/main.c read x12 read 4096 written 0");
  json r = with_process({{"type", "file_change"},
                         {"file", {{"op", "rename"}, {"path", "/tmp/a"}, {"new_path", "/tmp/b"}, {"result", "ok"}}}},
                        "/bin/mv");
  CHECK(format_compact(r, pod) == "📝 rename  ci/runner-x /bin/mv /tmp/a -> /tmp/b");
  json m = with_process({{"type", "priv_syscall"},
                         {"priv", {{"syscall", "mount"},
                                   {"args", {{"source", "/dev/sda2"}, {"target", "/mnt"}}},
                                   {"result", "EPERM"}}}},
                        "/usr/bin/mount");
  CHECK(format_compact(m, pod) == "🔐 mount   ci/runner-x /usr/bin/mount source=/dev/sda2 target=/mnt EPERM");
  // syscalls that return a value (bpf, perf_event_open: an fd) carry it as a number
  json b = with_process({{"type", "priv_syscall"},
                         {"priv", {{"syscall", "bpf"}, {"args", {{"cmd", "BPF_PROG_GET_NEXT_ID"}}}, {"result", 3}}}},
                        "/usr/sbin/bpftool");
  CHECK(format_compact(b, pod) == "🔐 bpf     ci/runner-x /usr/sbin/bpftool cmd=BPF_PROG_GET_NEXT_ID = 3");
  json cap = with_process({{"type", "capability"}, {"capability", {{"name", "CAP_SYS_ADMIN"}, {"count", 3}}}},
                          "/usr/bin/mount");
  CHECK(format_compact(cap, pod) == "🛡️ capability ci/runner-x /usr/bin/mount CAP_SYS_ADMIN x3");
}
