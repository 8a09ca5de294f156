#include "trail/findings/tool_names.hpp"

#include <algorithm>
#include <cctype>

#include "trail/events/types.hpp"

namespace jobtrail::findings {

std::string lowered(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

namespace {
// Tools installed as scripts carry no extension (/usr/bin/npm, /usr/local/bin/bundle); the few
// whose entry point has one are named by it (npm-cli.js, setup.py). Other names stay as they are:
// `node bundle.js` is no bundler.
std::string script_name(std::string base) {
  for (const char* ext : {"-cli.js", "-cli.cjs", "-cli.mjs"}) {
    std::string e = ext;
    if (base.size() > e.size() && base.compare(base.size() - e.size(), e.size(), e) == 0) return base.erase(base.size() - e.size());
  }
  return base == "setup.py" ? "setup" : base;
}

std::vector<std::string> tools_in(const json& ev) {
  auto names = program_names(ev);
  bool interp = false;
  for (auto& n : names) interp |= is_shell_like(n);
  if (!interp) return names;
  auto args = args_of(ev);
  for (std::size_t i = 1; i < args.size() && i < 16; ++i) {  // interpreter options come first; a few suffice
    const std::string& a = args[i];
    if (a == "-m" && i + 1 < args.size()) {
      names.push_back(args[i + 1].substr(0, args[i + 1].find('.')));
      break;
    }
    if (a == "-c" || a == "-e" || a == "--eval" || a == "-p" || a == "--") break;  // inline code, no script
    if (a.empty() || a[0] == '-') continue;
    names.push_back(script_name(basename_of(a)));
    break;
  }
  return names;
}
}  // namespace

std::vector<std::string> tool_names(const json& ev) {
  auto* m = EventMemo::of(ev);
  if (!m) return tools_in(ev);
  if (!m->tool_names) m->tool_names = tools_in(ev);
  return *m->tool_names;
}

std::vector<std::string> tools_of(const json& ev, const JobState& st) {
  if (const ExecInfo* e = st.exec(exec_id_of(ev)); e && type_of(ev) != events::type_name::process_exec) return e->tools;
  return tool_names(ev);
}

bool is_tool(const json& ev, std::initializer_list<const char*> wanted) {
  auto* m = EventMemo::of(ev);
  if (m && !m->tool_names) m->tool_names = tools_in(ev);
  std::vector<std::string> own;
  if (!m) own = tools_in(ev);
  for (auto& n : m ? *m->tool_names : own)
    for (const char* w : wanted)
      if (n == w) return true;
  return false;
}

std::string build_step_of(const json& ev) {
  const auto names = tool_names(ev);
  std::string tool;
  for (auto& n : names)
    for (const char* t : {"npm", "npx", "pnpm", "pnpx", "yarn", "bun", "bunx", "corepack", "pip", "pip3", "pipx", "uv", "poetry",
                    "pdm", "hatch", "setup", "gem", "bundle", "bundler", "composer", "cargo", "go", "mvn", "mvnw", "gradle",
                    "gradlew", "make", "gmake", "ninja", "cmake", "dotnet", "nuget", "rake", "sbt", "lerna", "nx", "turbo"})
      if (tool.empty() && n == t) tool = n;
  if (tool.empty()) return {};
  // the first word after the tool (interpreter and script skipped): read-only subcommands are no step
  auto args = args_of(ev);
  std::size_t i = 1;
  if (names.size() > 1 && is_shell_like(names[0])) {
    while (i < args.size() && (args[i].empty() || args[i][0] == '-')) ++i;
    ++i;  // the script itself
  }
  for (; i < args.size() && i < 32; ++i) {
    const std::string a = lowered(args[i]);
    if (a == "--version" || a == "-v" || a == "version" || a == "help" || a == "--help" || a == "-h") return {};
    if (a.empty() || a[0] == '-') continue;
    if (a == "list" || a == "ls" || a == "view" || a == "info" || a == "config" || a == "whoami" || a == "show" ||
        a == "env" || a == "search" || a == "outdated" || a == "freeze" || a == "root" || a == "bin" || a == "prefix")
      return {};
    std::string step = tool + " " + args[i].substr(0, 40);
    for (auto& c : step)
      if (static_cast<unsigned char>(c) < 0x20) c = ' ';  // one line in titles
    return step;
  }
  return tool;
}

const ExecInfo* build_step_ancestor(const json& ev, const JobState& st) {
  std::uint64_t id = parent_exec_id_of(ev);
  for (int depth = 0; id != 0 && depth < 64; ++depth) {  // bounded: a cycle in hostile ids cannot loop
    const ExecInfo* e = st.exec(id);
    if (!e) return nullptr;
    if (!e->build_step.empty()) return e;
    id = e->parent_exec_id;
  }
  return nullptr;
}

std::string checkout_of(const std::string& cwd) {
  for (const char* marker : {"/_work/", "/__w/"}) {
    auto at = cwd.find(marker);
    if (at == std::string::npos) continue;
    std::size_t pos = at + std::string(marker).size();
    for (int part = 0; part < 2; ++part) {  // <repo>/<repo>
      auto slash = cwd.find('/', pos);
      if (slash == std::string::npos) return cwd;  // the checkout itself (or above it)
      pos = slash + 1;
    }
    return cwd.substr(0, pos - 1);
  }
  return cwd;
}

bool is_within(const std::string& path, const std::string& root) {
  if (root == "/") return true;
  return path == root || (path.size() > root.size() && path.compare(0, root.size(), root) == 0 && path[root.size()] == '/');
}

}  // namespace jobtrail::findings
