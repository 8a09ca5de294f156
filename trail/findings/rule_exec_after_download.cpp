// exec-after-download: a file a download wrote is then executed (or run by an interpreter:
// `sh ./install.sh`, `python3 x.py`). "Written by a download" means written by curl/wget
// themselves (argv -o/-O/--output/--output-document, a URL's last segment for curl -O and
// wget, or their file events), or by a process whose stdin is a curl/wget pipe
// (`curl ... | tar x`). Files written by other processes (compilers) never count: a build
// that downloads a tarball and then runs its own binaries raises nothing.
#include <deque>
#include <optional>
#include <unordered_map>

#include "trail/events/types.hpp"
#include "trail/findings/rule.hpp"
#include "trail/findings/rule_util.hpp"

namespace jobtrail::findings {
namespace {

std::string url_basename(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return {};
  std::string rest = url.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("?#"));
  auto slash = rest.find('/');
  if (slash == std::string::npos) return {};
  auto name = basename_of(rest);
  return name == "." || name == ".." ? std::string() : name;
}

// Paths a curl/wget command line writes to (relative ones resolved against cwd).
std::vector<std::string> argv_outputs(const std::vector<std::string>& args, bool wget, const std::string& cwd) {
  std::vector<std::string> out, urls;
  bool remote_name = wget;  // wget saves under the URL's name unless -O is given
  std::string dir;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](const char* shrt, const char* lng) -> std::optional<std::string> {
      std::string l = lng;
      if (a == shrt || a == l) return i + 1 < args.size() ? std::optional(args[++i]) : std::nullopt;
      if (a.rfind(l + "=", 0) == 0) return a.substr(l.size() + 1);
      if (std::string(shrt).size() == 2 && a.size() > 2 && a.rfind(shrt, 0) == 0 && a[1] != '-') return a.substr(2);
      return std::nullopt;
    };
    if (!wget) {
      if (auto v = value("-o", "--output")) { out.push_back(*v); continue; }
      if (a == "-O" || a == "--remote-name" || a == "--remote-name-all") { remote_name = true; continue; }
      if (auto v = value("--output-dir", "--output-dir")) { dir = *v; continue; }
    } else {
      if (auto v = value("-O", "--output-document")) { if (*v != "-") out.push_back(*v); remote_name = false; continue; }
      if (auto v = value("-P", "--directory-prefix")) { dir = *v; continue; }
    }
    if (a.find("://") != std::string::npos) urls.push_back(a);
  }
  if (remote_name)
    for (auto& u : urls)
      if (auto n = url_basename(u); !n.empty()) out.push_back(dir.empty() ? n : dir + "/" + n);
  for (auto& p : out) p = absolute_path(p, cwd);
  return out;
}

class ExecAfterDownload : public Rule {
 public:
  const char* id() const override { return "exec-after-download"; }
  void on_event(const json& ev, const JobState& st, const Config& cfg, std::vector<Finding>& out) override {
    const std::string type = type_of(ev);
    if (type == events::type_name::process_exec) {
      const auto* me = st.exec(exec_id_of(ev));
      if (!me) return;
      check_exec(ev, *me, out);
      if (me->downloader)
        for (auto& p : argv_outputs(args_of(ev), is_program(ev, {"wget", "wget2"}), me->cwd))
          remember(p, Written{me->exec_id, me->seq, me->seq}, cfg);
    } else if (type == events::type_name::file_open || type == events::type_name::file_io || type == events::type_name::file_change) {
      const auto* writer = st.exec(exec_id_of(ev));
      if (!writer) return;
      const ExecInfo* dl = writer->downloader ? writer : st.downloader_on_pipe(writer->stdin_pipe);
      if (!dl) return;
      std::string path = file_path(ev);
      const auto& file = family(ev, "file");
      if (type == events::type_name::file_change) {  // rename/link of a downloaded file keeps it downloaded
        const std::string op = str_at(file, "op");
        if (op != "rename" && op != "link") return;
        path = str_at(file, "new_path");
      } else if (!file_written(ev)) {
        return;
      }
      if (!path.empty() && path[0] == '/') remember(path, Written{dl->exec_id, dl->seq, seq_of(ev)}, cfg);
    }
  }

 private:
  struct Written {
    std::uint64_t download_exec_id, download_seq, write_seq;
  };
  void remember(const std::string& path, Written w, const Config& cfg) {
    if (!written_.count(path)) order_.push_back(path);
    written_[path] = w;
    while (written_.size() > cfg.max_tracked && !order_.empty()) {
      written_.erase(order_.front());
      order_.pop_front();
    }
  }
  void check_exec(const json& ev, const ExecInfo& me, std::vector<Finding>& out) {
    std::vector<std::string> candidates{binary_of(ev)};
    bool interp = false;
    for (auto& n : program_names(ev)) interp |= is_shell_like(n);
    if (interp) {  // the script an interpreter runs: its first non-option argument
      auto args = args_of(ev);
      for (std::size_t i = 1; i < args.size(); ++i) {
        if (args[i] == "-c") break;  // inline code, not a file
        if (!args[i].empty() && args[i][0] == '-') continue;
        candidates.push_back(absolute_path(args[i], me.cwd));
        break;
      }
    }
    for (auto& c : candidates) {
      auto it = written_.find(c);
      if (it == written_.end()) continue;
      const Written& w = it->second;
      std::vector<std::uint64_t> evidence{w.download_seq};
      if (w.write_seq != w.download_seq) evidence.push_back(w.write_seq);
      evidence.push_back(me.seq);
      out.push_back({id(), high, "downloaded file executed: " + c + " (" + command_text(ev) + ")",
                     {w.download_exec_id, me.exec_id}, evidence});
      return;
    }
  }
  std::unordered_map<std::string, Written> written_;
  std::deque<std::string> order_;
};

}  // namespace

std::unique_ptr<Rule> make_exec_after_download() { return std::make_unique<ExecAfterDownload>(); }

}  // namespace jobtrail::findings
