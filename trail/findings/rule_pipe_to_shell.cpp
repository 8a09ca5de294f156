// pipe-to-shell: a shell or interpreter (sh, bash, python3, perl, node, ...) whose stdin is
// the pipe a curl/wget writes to: `curl ... | sh`, `wget -qO- ... | sudo python3`. Proven by
// the pipe inode of the two process_exec events (stdio.stdin / stdio.stdout), in either order
// (the shell often execs before the downloader). One finding per pipe.
#include <deque>
#include <unordered_map>
#include <unordered_set>

#include "trail/events/types.hpp"
#include "trail/findings/rule.hpp"
#include "trail/findings/rule_util.hpp"

namespace jobtrail::findings {
namespace {

class PipeToShell : public Rule {
 public:
  const char* id() const override { return "pipe-to-shell"; }
  void on_event(const json& ev, const JobState& st, const Config& cfg, std::vector<Finding>& out) override {
    if (type_of(ev) != events::type_name::process_exec) return;
    const auto* me = st.exec(exec_id_of(ev));
    if (!me) return;
    if (me->downloader && me->stdout_pipe) {  // the shell may already be waiting on this pipe
      auto it = waiting_.find(me->stdout_pipe);
      if (it != waiting_.end()) report(*me, Waiting(it->second), out);
      return;
    }
    if (!me->stdin_pipe || done_.count(me->stdin_pipe)) return;
    bool shell = false;
    for (auto& n : program_names(ev)) shell |= is_shell_like(n);
    if (!shell) return;
    if (const auto* dl = st.downloader_on_pipe(me->stdin_pipe)) {
      report(*dl, Waiting{me->exec_id, me->seq, command_text(ev)}, out);
    } else {
      if (waiting_.size() >= cfg.max_tracked) waiting_.clear();
      waiting_.emplace(me->stdin_pipe, Waiting{me->exec_id, me->seq, command_text(ev)});
    }
  }

 private:
  struct Waiting {
    std::uint64_t exec_id, seq;
    std::string command;
  };
  void report(const ExecInfo& dl, const Waiting& shell, std::vector<Finding>& out) {
    const std::uint64_t pipe = dl.stdout_pipe;
    if (done_.count(pipe)) return;
    if (done_.size() >= 65'536) done_.clear();
    done_.insert(pipe);
    waiting_.erase(pipe);
    Finding f{id(), high,
              "download piped into a shell: " + basename_of(dl.binary) + " | " + shell.command, {dl.exec_id, shell.exec_id}, {}};
    f.evidence = dl.seq < shell.seq ? std::vector<std::uint64_t>{dl.seq, shell.seq} : std::vector<std::uint64_t>{shell.seq, dl.seq};
    out.push_back(std::move(f));
  }
  std::unordered_map<std::uint64_t, Waiting> waiting_;  // shell stdin pipe inode -> shell
  std::unordered_set<std::uint64_t> done_;
};

}  // namespace

std::unique_ptr<Rule> make_pipe_to_shell() { return std::make_unique<PipeToShell>(); }

}  // namespace jobtrail::findings
