// workflow-file-write: a GitHub Actions workflow (.github/workflows/*.yml|yaml) created or changed
// by the job: the Shai-Hulud worm (Sep 2025) committed `.github/workflows/shai-hulud-workflow.yml`
// to every repository it could push to, so that the next run exfiltrates the secrets. High at
// the write; a `git push` by the job after it raises a critical finding with both as evidence
// (written and pushed), or only that one when the push is already in the trail (folded file
// events arrive when the writer exits). Git's own writes (clone, checkout, merge: the checkout's content) are
// left out.
#include <algorithm>
#include <deque>
#include <unordered_map>

#include "trail/events/types.hpp"
#include "trail/findings/rule.hpp"
#include "trail/findings/rule_util.hpp"
#include "trail/findings/tool_names.hpp"

namespace jobtrail::findings {
namespace {

bool is_workflow(const std::string& path) {
  const auto at = path.rfind("/.github/workflows/");
  if (at == std::string::npos) return false;
  const std::string name = path.substr(at + 19);
  if (name.empty() || name.find('/') != std::string::npos) return false;
  const std::string l = lowered(name);
  return (l.size() > 4 && l.compare(l.size() - 4, 4, ".yml") == 0) || (l.size() > 5 && l.compare(l.size() - 5, 5, ".yaml") == 0);
}

// `git [global options] push ...`: the first word after git's own options.
bool is_git_push(const json& ev) {
  if (!is_program(ev, {"git"})) return false;
  auto args = args_of(ev);
  for (std::size_t i = 1; i < args.size() && i < 64; ++i) {
    const std::string& a = args[i];
    if (a == "-c" || a == "-C" || a == "--git-dir" || a == "--work-tree" || a == "--namespace" || a == "--exec-path" ||
        a == "--config-env" || a == "--super-prefix") {
      ++i;  // the option's value
      continue;
    }
    if (!a.empty() && a[0] == '-') continue;  // -c.. clusters, --git-dir=..., --no-pager, -p
    return a == "push";
  }
  return false;
}

class WorkflowFileWrite : public Rule {
 public:
  const char* id() const override { return "workflow-file-write"; }
  std::uint64_t dropped() const override { return dropped_; }
  void on_event(const json& ev, const JobState& st, const Config&, std::vector<Finding>& out) override {
    const std::string type = type_of(ev);
    if (type == events::type_name::process_exec) {
      if (!is_git_push(ev)) return;
      if (pushes_.size() >= 16) pushes_.pop_front();
      pushes_.push_back({exec_id_of(ev), seq_of(ev), str_at(ev, "time"), command_text(ev)});
      for (auto& path : order_) {
        Written& w = written_[path];
        if (w.pushed) continue;
        w.pushed = true;
        out.push_back({id(), critical, "workflow file written and pushed: " + path + " by " + w.writer + ", then " + command_text(ev),
                       {w.exec_id, exec_id_of(ev)}, {w.seq, seq_of(ev)}});
      }
      return;
    }
    std::string path;
    if (type == events::type_name::file_change) {
      const auto& file = family(ev, "file");
      const std::string op = str_at(file, "op");
      if (op == "rename" || op == "link") path = str_at(file, "new_path");
      else if (op == "symlink") path = str_at(file, "path");
      else return;
    } else if ((type == events::type_name::file_open || type == events::type_name::file_io) && file_written(ev)) {
      path = file_path(ev);
    } else {
      return;
    }
    if (!is_workflow(path) || !failed_suffix(family(ev, "file")).empty()) return;
    for (auto& n : tools_of(ev, st))
      if (n == "git" || n.rfind("git-", 0) == 0) return;  // clone, checkout, merge: the checkout's own content
    if (written_.count(path)) return;  // one finding per workflow file
    // Folded file events come when the writer exits, after a push it ran: a push no older than
    // the write (times are fixed-width RFC 3339) already followed it.
    const std::string when = str_at(family(ev, "file"), "first_time").empty() ? str_at(ev, "time")
                                                                             : str_at(family(ev, "file"), "first_time");
    const Push* after = nullptr;
    for (auto& p : pushes_)
      if (!when.empty() && p.time.size() == when.size() && p.time >= when) after = &p;
    if (after) {
      out.push_back({id(), critical, "workflow file written and pushed: " + path + " by " + command_text(ev) + ", then " + after->text,
                     {exec_id_of(ev), after->exec_id}, {std::min(after->seq, seq_of(ev)), std::max(after->seq, seq_of(ev))}});
    } else {
      out.push_back(single(id(), high, "workflow file written: " + path + " by " + command_text(ev), ev));
    }
    if (written_.size() >= 256) {  // bounded: a job writing more workflows than this is flagged already
      ++dropped_;
      return;
    }
    written_[path] = Written{exec_id_of(ev), seq_of(ev), command_text(ev), after != nullptr};
    order_.push_back(path);
  }

 private:
  struct Written {
    std::uint64_t exec_id = 0, seq = 0;
    std::string writer;
    bool pushed = false;
  };
  struct Push {
    std::uint64_t exec_id = 0, seq = 0;
    std::string time, text;
  };
  std::unordered_map<std::string, Written> written_;
  std::deque<Push> pushes_;  // the last few pushes
  std::deque<std::string> order_;
  std::uint64_t dropped_ = 0;
};

}  // namespace

std::unique_ptr<Rule> make_workflow_file_write() { return std::make_unique<WorkflowFileWrite>(); }

}  // namespace jobtrail::findings
