// process-memory-read: one process reading another's memory, the way secrets are stolen from
// Runner.Worker (tj-actions/changed-files, CVE-2025-30066: memdump.py reads
// /proc/<pid>/maps then /proc/<pid>/mem). Sources: opens of /proc/<pid>/mem (file events or
// a priv event with args.path), process_vm_readv, and ptrace attach/seize. Critical when the
// target is Runner.Worker. A process reading itself, or a fork of the same exec (LeakSanitizer's
// ptrace helper), is not flagged. An earlier read of the target's maps joins the evidence.
#include <map>
#include <utility>

#include "trail/events/number_text.hpp"
#include "trail/findings/proc_target.hpp"
#include "trail/findings/rule.hpp"
#include "trail/findings/rule_util.hpp"

namespace jobtrail::findings {
namespace {

bool is_attach(const json& request) {
  if (request.is_number_integer()) {
    auto r = request.get<long>();
    return r == 16 /* PTRACE_ATTACH */ || r == 0x4206 /* PTRACE_SEIZE */;
  }
  return has_flag(request, 0, "ATTACH") || has_flag(request, 0, "SEIZE");
}

std::int64_t number_of(const json& v) {
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (v.is_string()) return events::parse_signed_decimal(v.get<std::string>()).value_or(-1);
  return -1;
}

class ProcessMemoryRead : public Rule {
 public:
  const char* id() const override { return "process-memory-read"; }
  void on_event(const json& ev, const JobState& st, const Config&, std::vector<Finding>& out) override {
    const std::string type = type_of(ev), sys = priv_syscall(ev);
    std::int64_t target = -1;
    std::string how;
    if (sys == "ptrace") {
      if (!is_attach(priv_args(ev).value("request", json()))) return;
      target = number_of(priv_args(ev).value("target_pid", json()));
      how = "ptrace attach to";
    } else if (sys == "process_vm_readv") {
      target = number_of(priv_args(ev).value("target_pid", json()));
      how = "process_vm_readv of";
    } else if (type.rfind("file_", 0) == 0 || !sys.empty()) {
      auto t = parse_proc_path(file_path(ev));
      if (!t) return;
      if (t->file == "maps" && !is_same_process(ev, t->pid, st)) {
        if (maps_.size() > 4096) maps_.clear();
        maps_.emplace(std::make_pair(exec_id_of(ev), t->pid), seq_of(ev));
        return;
      }
      if (t->file != "mem") return;
      target = t->pid;
      how = "read of /proc/" + std::to_string(t->pid) + "/mem of";
    } else {
      return;
    }
    if (target <= 0 || is_same_process(ev, target, st)) return;
    bool runner = false;
    std::string who = target_text(target, st, &runner);
    Finding f = single(id(), runner ? critical : high,
                       "process memory read: " + how + " " + who + " by " + command_text(ev) + failed_suffix(family(ev, "priv")) +
                           failed_suffix(family(ev, "file")),
                       ev);
    if (auto m = maps_.find({exec_id_of(ev), target}); m != maps_.end()) f.evidence.insert(f.evidence.begin(), m->second);
    if (const auto* t = st.exec_by_visible_pid(target)) f.exec_ids.push_back(t->exec_id);
    out.push_back(std::move(f));
  }

 private:
  std::map<std::pair<std::uint64_t, std::int64_t>, std::uint64_t> maps_;  // (reader exec, target pid) -> seq
};

}  // namespace

std::unique_ptr<Rule> make_process_memory_read() { return std::make_unique<ProcessMemoryRead>(); }

}  // namespace jobtrail::findings
