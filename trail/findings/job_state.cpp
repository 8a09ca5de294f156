#include "trail/findings/job_state.hpp"

#include "trail/events/types.hpp"
#include "trail/findings/event_view.hpp"
#include "trail/findings/tool_names.hpp"

namespace jobtrail::findings {

void JobState::observe(const nlohmann::json& ev) {
  const std::string type = type_of(ev);
  if (type == events::type_name::process_exec) {
    ExecInfo e;
    e.exec_id = exec_id_of(ev);
    if (e.exec_id == 0) return;
    e.parent_exec_id = parent_exec_id_of(ev);
    e.seq = seq_of(ev);
    e.pid = pid_of(ev);
    e.ns_pid = ns_pid_of(ev);
    e.binary = binary_of(ev);
    auto names = program_names(ev);
    e.name = names.size() > 1 ? names[1] : names.empty() ? "" : names[0];
    e.cwd = str_at(family(ev, "process"), "cwd");
    for (auto [fd, slot] : {std::pair<const char*, std::uint64_t*>{"stdin", &e.stdin_pipe}, {"stdout", &e.stdout_pipe}}) {
      const auto& s = family(family(ev, "stdio"), fd);
      if (s.value("pipe", false) && s.contains("inode") && s["inode"].is_number_unsigned()) *slot = s["inode"].get<std::uint64_t>();
    }
    for (auto& n : names) e.downloader |= is_downloader(n);
    e.tools = tool_names(ev);
    e.build_step = build_step_of(ev);
    for (auto [kind, slot] : {std::pair<const char*, std::uint64_t*>{"mnt", &e.mnt_ns}, {"net", &e.net_ns}})
      if (auto v = family(ev, "namespaces").find(kind); v != family(ev, "namespaces").end() && v->is_number_unsigned())
        *slot = v->get<std::uint64_t>();
    if (e.downloader && e.stdout_pipe) {
      if (download_pipes_.size() >= max_) download_pipes_.clear(), ++evicted_;
      download_pipes_[e.stdout_pipe] = e.exec_id;
    }
    if (auto it = ev.find("env"); it != ev.end() && it->is_object()) e.env = *it;
    if (e.pid >= 0) by_pid_[e.pid] = e.exec_id;
    if (e.ns_pid >= 0) by_ns_pid_[e.ns_pid] = e.exec_id;
    execs_[e.exec_id] = std::move(e);
    while (execs_.size() > max_) {
      execs_.erase(execs_.begin());
      ++evicted_;
    }
    if (by_pid_.size() > 2 * max_) by_pid_.clear(), by_ns_pid_.clear(), ++evicted_;
  } else if (type == events::type_name::dns_answer) {
    const auto& dns = family(ev, "dns");
    const std::string asked = str_at(dns, "name");
    auto it = dns.find("answers");
    if (asked.empty() || it == dns.end() || !it->is_array()) return;
    for (auto& a : *it) {
      const std::string t = str_at(a, "type"), data = str_at(a, "data");
      if ((t != "A" && t != "AAAA") || data.empty()) continue;
      if (names_.emplace(data, asked).second) name_order_.push_back(data);
      else names_[data] = asked;
      while (names_.size() > max_ && !name_order_.empty()) {
        names_.erase(name_order_.front());
        name_order_.pop_front();
        ++evicted_;
      }
    }
  }
}

const ExecInfo* JobState::exec(std::uint64_t exec_id) const {
  auto it = execs_.find(exec_id);
  return it == execs_.end() ? nullptr : &it->second;
}

const ExecInfo* JobState::exec_by_visible_pid(std::int64_t pid) const {
  for (auto* table : {&by_ns_pid_, &by_pid_}) {
    auto it = table->find(pid);
    if (it != table->end())
      if (auto* e = exec(it->second)) return e;
  }
  return nullptr;
}

const ExecInfo* JobState::downloader_on_pipe(std::uint64_t inode) const {
  if (inode == 0) return nullptr;
  auto it = download_pipes_.find(inode);
  return it == download_pipes_.end() ? nullptr : exec(it->second);
}

std::string JobState::name_for(const std::string& address) const {
  auto it = names_.find(address);
  return it == names_.end() ? std::string() : it->second;
}

}  // namespace jobtrail::findings
