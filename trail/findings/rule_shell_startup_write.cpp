// shell-startup-write: a file every later shell or program runs written by the job: the nx
// "s1ngularity" payload (Aug 2025) appended `sudo shutdown -h 0` to ~/.bashrc and ~/.zshrc.
// Per-user start-up files (.bashrc, .bash_profile, .bash_login, .bash_logout, .profile, .zshrc,
// .zshenv, .zprofile, .zlogin, .kshrc, .config/fish/config.fish) and the system's (/etc/profile,
// /etc/profile.d/*, /etc/bash.bashrc, /etc/zsh/*, /etc/environment) are high; /etc/ld.so.preload
// (a library loaded into every process) is critical; a git hook (.git/hooks/<name>, not the
// *.sample files git init writes) is medium: hook managers (pre-commit install) write them too.
// Writes are opens for writing, or a rename/link/symlink that puts a file there (`sed -i`).
#include "trail/events/types.hpp"
#include "trail/findings/rule.hpp"
#include "trail/findings/rule_util.hpp"

namespace jobtrail::findings {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The severity of a write to `path`, or nullptr when it is no start-up file.
const char* startup_file(const std::string& path, std::string* what) {
  if (path == "/etc/ld.so.preload") return *what = "preload list of every process", critical;
  const std::string name = basename_of(path);
  for (const char* f : {".bashrc", ".bash_profile", ".bash_login", ".bash_logout", ".profile", ".zshrc", ".zshenv",
                        ".zprofile", ".zlogin", ".zlogout", ".kshrc", ".mkshrc"})
    if (name == f) return *what = "shell start-up file", high;
  if (ends_with(path, "/.config/fish/config.fish")) return *what = "shell start-up file", high;
  if (path == "/etc/profile" || path == "/etc/bash.bashrc" || path == "/etc/environment" || path == "/etc/zshenv" ||
      path == "/etc/zshrc" || path.rfind("/etc/profile.d/", 0) == 0 || path.rfind("/etc/zsh/", 0) == 0)
    return *what = "system shell start-up file", high;
  const auto hooks = path.rfind("/.git/hooks/");
  if (hooks != std::string::npos && path.find('/', hooks + 12) == std::string::npos && name.size() > 0 &&
      !ends_with(name, ".sample"))
    return *what = "git hook", medium;
  return nullptr;
}

class ShellStartupWrite : public Rule {
 public:
  const char* id() const override { return "shell-startup-write"; }
  void on_event(const json& ev, const JobState&, const Config&, std::vector<Finding>& out) override {
    const std::string type = type_of(ev);
    std::string path;
    if (type == events::type_name::file_change) {
      const auto& file = family(ev, "file");
      const std::string op = str_at(file, "op");
      if (op == "rename" || op == "link") path = str_at(file, "new_path");
      else if (op == "symlink") path = str_at(file, "path");  // the link created
      else return;
    } else if ((type == events::type_name::file_open || type == events::type_name::file_io) && file_written(ev)) {
      path = file_path(ev);
    } else {
      return;
    }
    std::string what;
    const char* severity = startup_file(path, &what);
    if (!severity) return;
    out.push_back(single(id(), severity, what + " written: " + path + " by " + command_text(ev) +
                                             failed_suffix(family(ev, "file")), ev));
  }
};

}  // namespace

std::unique_ptr<Rule> make_shell_startup_write() { return std::make_unique<ShellStartupWrite>(); }

}  // namespace jobtrail::findings
