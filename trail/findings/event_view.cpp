#include "trail/findings/event_view.hpp"

#include <algorithm>

namespace jobtrail::findings {

namespace {
const json& process_of(const json& ev) {
  static const json empty = json::object();
  if (!ev.is_object()) return empty;
  auto it = ev.find("process");
  return it != ev.end() && it->is_object() ? *it : empty;
}
template <typename T>
T number_at(const json& obj, const char* key, T fallback) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_number_integer() ? it->get<T>() : fallback;
}

thread_local EventMemo* t_memo = nullptr;
}  // namespace

EventMemo::EventMemo(const json& ev) : event_(&ev), outer_(t_memo) { t_memo = this; }
EventMemo::~EventMemo() { t_memo = outer_; }
EventMemo* EventMemo::of(const json& ev) { return t_memo && t_memo->event_ == &ev ? t_memo : nullptr; }

namespace {
std::string type_text(const json& ev) { return ev.is_object() ? str_at(ev, "type") : std::string(); }

std::vector<std::string> args_text(const json& ev) {
  std::vector<std::string> out;
  auto& p = process_of(ev);
  auto it = p.find("args");
  if (it == p.end() || !it->is_array()) return out;
  for (auto& a : *it)
    if (a.is_string()) out.push_back(a.get<std::string>());
  return out;
}

std::vector<std::string> names_of(const json& ev) {
  std::vector<std::string> names;
  auto add = [&](std::string n) {
    if (!n.empty() && n[0] == '-') n.erase(0, 1);
    if (!n.empty() && std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  };
  add(basename_of(binary_of(ev)));
  const json& p = process_of(ev);
  auto it = p.find("args");  // the first string of argv only (args_of skips the others)
  if (it != p.end() && it->is_array())
    for (auto& a : *it)
      if (a.is_string()) {
        add(basename_of(a.get_ref<const std::string&>()));
        break;
      }
  return names;
}
}  // namespace

std::string type_of(const json& ev) {
  auto* m = EventMemo::of(ev);
  if (!m) return type_text(ev);
  if (!m->type) m->type = type_text(ev);
  return *m->type;
}
std::uint64_t seq_of(const json& ev) { return ev.is_object() ? number_at<std::uint64_t>(ev, "seq", 0) : 0; }
std::uint64_t exec_id_of(const json& ev) {
  auto* m = EventMemo::of(ev);
  if (!m) return number_at<std::uint64_t>(process_of(ev), "exec_id", 0);
  if (!m->exec_id) m->exec_id = number_at<std::uint64_t>(process_of(ev), "exec_id", 0);
  return *m->exec_id;
}
std::uint64_t parent_exec_id_of(const json& ev) { return number_at<std::uint64_t>(process_of(ev), "parent_exec_id", 0); }
std::int64_t pid_of(const json& ev) { return number_at<std::int64_t>(process_of(ev), "pid", -1); }
std::int64_t ns_pid_of(const json& ev) { return number_at<std::int64_t>(process_of(ev), "ns_pid", -1); }
std::string binary_of(const json& ev) { return str_at(process_of(ev), "binary"); }

std::vector<std::string> args_of(const json& ev) {
  auto* m = EventMemo::of(ev);
  if (!m) return args_text(ev);
  if (!m->args) m->args = args_text(ev);
  return *m->args;
}

std::string basename_of(const std::string& path) {
  auto s = path.rfind('/');
  return s == std::string::npos ? path : path.substr(s + 1);
}

std::vector<std::string> program_names(const json& ev) {
  auto* m = EventMemo::of(ev);
  if (!m) return names_of(ev);
  if (!m->program_names) m->program_names = names_of(ev);
  return *m->program_names;
}

bool is_program(const json& ev, std::initializer_list<const char*> wanted) {
  auto* m = EventMemo::of(ev);
  if (m && !m->program_names) m->program_names = names_of(ev);
  std::vector<std::string> own;
  if (!m) own = names_of(ev);
  for (auto& n : m ? *m->program_names : own)
    for (const char* w : wanted)
      if (n == w) return true;
  return false;
}

std::string str_at(const json& obj, const char* key) {
  if (!obj.is_object()) return {};
  auto it = obj.find(key);
  if (it == obj.end()) return {};
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number()) return it->dump();
  return {};
}

const json& family(const json& ev, const char* key) {
  static const json empty = json::object();
  if (!ev.is_object()) return empty;
  auto it = ev.find(key);
  return it != ev.end() && it->is_object() ? *it : empty;
}

bool is_shell_like(const std::string& n) {
  static const char* shells[] = {"sh", "bash", "dash", "zsh", "ash", "ksh", "mksh", "fish", "busybox",
                                 "python", "perl", "ruby", "node", "php", "pwsh", "lua"};
  for (const char* s : shells)
    if (n == s) return true;
  // versioned interpreters: python3, python3.11, perl5.36, ruby3.1, lua5.4
  for (const char* s : {"python", "perl", "ruby", "lua", "php"}) {
    std::string p = s;
    if (n.size() > p.size() && n.rfind(p, 0) == 0 &&
        std::all_of(n.begin() + static_cast<long>(p.size()), n.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; }))
      return true;
  }
  return false;
}

bool is_downloader(const std::string& n) { return n == "curl" || n == "wget" || n == "wget2"; }

std::string absolute_path(const std::string& path, const std::string& cwd) {
  std::string full = !path.empty() && path[0] == '/' ? path : (cwd.empty() ? "/" : cwd) + "/" + path;
  std::vector<std::string> parts;
  std::size_t i = 0;
  while (i <= full.size()) {
    auto j = full.find('/', i);
    if (j == std::string::npos) j = full.size();
    std::string part = full.substr(i, j - i);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    i = j + 1;
  }
  std::string out;
  for (auto& p : parts) out += "/" + p;
  return out.empty() ? "/" : out;
}

}  // namespace jobtrail::findings
