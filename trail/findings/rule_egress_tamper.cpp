// egress-tamper: the job changing where the pod's traffic may go, as malware does to silence
// an egress monitor, the trail's own upload or a proxy: firewall rules (iptables and its
// ip6tables/-legacy/-nft/-restore forms, nft, ebtables, ufw disable|deny|reset), routes and policy rules (`ip route|rule
// add|del|replace|change|flush`, in any abbreviation ip accepts, `route add|del`), a link taken
// down, and writes to /etc/hosts, /etc/resolv.conf or /etc/nsswitch.conf. Read-only uses
// (`iptables -L`, `nft list ruleset`, `ip route show|get`) are not flagged, nor are processes
// in another network (commands) or mount (files) namespace than the job's first exec (a
// namespace of their own changes nothing for the pod), nor firewall commands run by a
// container or network daemon (dockerd in docker-in-docker sets up its NAT rules).
#include <algorithm>

#include "trail/events/types.hpp"
#include "trail/findings/rule.hpp"
#include "trail/findings/rule_util.hpp"
#include "trail/findings/tool_names.hpp"

namespace jobtrail::findings {
namespace {

// `word` is a non-empty prefix of `full` (ip's abbreviations: "ro", "rou" for "route").
bool abbrev(const std::string& word, const char* full, std::size_t min = 1) {
  const std::string f = full;
  return word.size() >= min && word.size() <= f.size() && f.compare(0, word.size(), word) == 0;
}

// What a firewall command changes, or "" when it only reads.
std::string firewall_change(const json& ev) {
  auto args = args_of(ev);
  if (is_tool(ev, {"iptables", "ip6tables", "iptables-legacy", "ip6tables-legacy", "iptables-nft", "ip6tables-nft",
                   "ebtables", "arptables", "ebtables-nft", "arptables-nft", "xtables-legacy-multi", "xtables-nft-multi"})) {
    bool change = false;
    for (std::size_t i = 1; i < args.size() && i < 256; ++i) {
      const std::string& a = args[i];
      if (a.size() < 2 || a[0] != '-') continue;
      if (a[1] == '-') {
        for (const char* l : {"--append", "--insert", "--delete", "--replace", "--flush", "--policy", "--new-chain",
                              "--delete-chain", "--rename-chain", "--zero"})
          if (a == l) return a;
        continue;
      }
      if (a == "-t" || a == "-m" || a == "-j" || a == "-p" || a == "-s" || a == "-d" || a == "-i" || a == "-o" || a == "-g") {
        ++i;  // an option that takes a value (the table, a match, a target)
        continue;
      }
      // a command letter: -A -I -D -R -F -P -N -X -E -Z (also in clusters like -wA)
      for (char c : a.substr(1))
        if (std::string("AIDRFPNXEZ").find(c) != std::string::npos) change = true;
      if (change) return a;
    }
    return {};
  }
  if (is_tool(ev, {"iptables-restore", "ip6tables-restore", "iptables-legacy-restore", "iptables-nft-restore",
                   "ip6tables-legacy-restore", "ip6tables-nft-restore", "ebtables-restore"})) {
    for (auto& a : args)
      if (a == "-t" || a == "--test") return {};
    return "restore";
  }
  if (is_tool(ev, {"ufw"})) {
    for (std::size_t i = 1; i < args.size() && i < 64; ++i) {
      const std::string w = lowered(args[i]);
      if (w == "disable" || w == "deny" || w == "reject" || w == "reset" || w == "insert" || w == "delete" || w == "default")
        return "ufw " + args[i];
      if (!w.empty() && w[0] != '-') return {};  // status, show, enable, allow, ...
    }
    return {};
  }
  if (is_tool(ev, {"nft"})) {
    for (std::size_t i = 1; i < args.size() && i < 256; ++i) {
      const std::string& a = args[i];
      if (a == "-c" || a == "--check") return {};
      if (a == "-f" || a == "--file" || a.rfind("--file=", 0) == 0 || a == "-i" || a == "--interactive") return a;
      if (a == "-I" || a == "--includepath" || a == "-D" || a == "--define" || a == "-T") {
        ++i;
        continue;
      }
      if (a.empty() || a[0] == '-') continue;
      const std::string w = lowered(a);
      if (w == "list" || w == "monitor" || w == "describe") return {};
      return a;  // add, insert, delete, flush, replace, create, destroy, reset: or a whole script
    }
    return {};
  }
  return {};
}

// What an `ip` or `route` command changes, or "".
std::string route_change(const json& ev) {
  auto args = args_of(ev);
  if (is_tool(ev, {"route"})) {
    for (std::size_t i = 1; i < args.size() && i < 64; ++i)
      if (args[i] == "add" || args[i] == "del") return "route " + args[i];
    return {};
  }
  if (!is_tool(ev, {"ip"})) return {};
  std::size_t i = 1;
  for (; i < args.size() && i < 64 && !args[i].empty() && args[i][0] == '-'; ++i) {
    const std::string o = args[i];
    if (o == "-n" || o == "-netns" || o == "--netns") return {};  // another namespace's routes
    if (o == "-b" || o == "-batch" || o == "--batch") return "ip " + o;
    if (o == "-f" || o == "-family" || o == "-rc" || o == "-rcvbuf" || o == "-l" || o == "-loops") ++i;
  }
  if (i + 1 >= args.size()) return {};
  const std::string object = lowered(args[i]), verb = lowered(args[i + 1]);
  const bool change = abbrev(verb, "add") || abbrev(verb, "delete") || abbrev(verb, "change", 2) || verb == "chg" ||
                      abbrev(verb, "replace", 3) || abbrev(verb, "flush") || abbrev(verb, "append", 2) || abbrev(verb, "prepend", 2);
  if ((abbrev(object, "route") || abbrev(object, "rule", 2)) && change) return "ip " + args[i] + " " + args[i + 1];
  if (abbrev(object, "link") && abbrev(verb, "set")) {
    for (std::size_t j = i + 2; j < args.size() && j < 64; ++j)
      if (args[j] == "down") return "ip link set ... down";
  }
  return {};
}

class EgressTamper : public Rule {
 public:
  const char* id() const override { return "egress-tamper"; }
  void on_event(const json& ev, const JobState& st, const Config&, std::vector<Finding>& out) override {
    const std::string type = type_of(ev);
    namespace name = events::type_name;
    if (type != name::process_exec && type != name::file_open && type != name::file_io && type != name::file_change) return;
    const ExecInfo* me = st.exec(exec_id_of(ev));
    if (type == name::process_exec) {
      if (me && !have_job_) have_job_ = true, job_mnt_ = me->mnt_ns, job_net_ = me->net_ns;
      if (me && job_net_ && me->net_ns && me->net_ns != job_net_) return;
      std::string what = firewall_change(ev);
      if (!what.empty()) {
        if (const ExecInfo* parent = st.exec(parent_exec_id_of(ev)))
          for (const char* d : {"dockerd", "containerd", "docker-proxy", "kube-proxy", "podman", "netavark", "firewalld",
                                "k3s", "kubelet", "cni"})
            if (basename_of(parent->binary) == d || parent->name == d) return;
        out.push_back(single(id(), high, "firewall changed (" + what + "): " + command_text(ev), ev));
        return;
      }
      what = route_change(ev);
      if (!what.empty()) out.push_back(single(id(), high, "routing changed (" + what + "): " + command_text(ev), ev));
      return;
    }
    std::string path;
    if (type == name::file_change) {
      const std::string op = str_at(family(ev, "file"), "op");
      if (op != "rename" && op != "link") return;
      path = str_at(family(ev, "file"), "new_path");
    } else if ((type == name::file_open || type == name::file_io) && file_written(ev)) {
      path = file_path(ev);
    } else {
      return;
    }
    if (path != "/etc/hosts" && path != "/etc/resolv.conf" && path != "/etc/nsswitch.conf") return;
    if (me && job_mnt_ && me->mnt_ns && me->mnt_ns != job_mnt_) return;  // a container's own /etc
    out.push_back(single(id(), high, "name resolution changed: " + path + " written by " + command_text(ev) +
                                         failed_suffix(family(ev, "file")), ev));
  }

 private:
  bool have_job_ = false;
  std::uint64_t job_mnt_ = 0, job_net_ = 0;  // namespaces of the first exec of the trail: the job's
};

}  // namespace

std::unique_ptr<Rule> make_egress_tamper() { return std::make_unique<EgressTamper>(); }

}  // namespace jobtrail::findings
