// secret-scan-outside-checkout: a secret scanner pointed at the machine rather than at the
// code: the Shai-Hulud npm worm (Sep 2025) had its postinstall run TruffleHog over the disk to
// collect tokens. Scanners (trufflehog, gitleaks, noseyparker, detect-secrets, ggshield,
// kingfisher, ...) are flagged when a path they scan (their non-option arguments, the values of
// --source/--directory/--path/..., `file://` URLs; gitleaks' default is its cwd) lies outside
// the job's checkout (the _work/<repo>/<repo> the cwd is in, else the cwd itself), or is `/`, a
// top-level folder or a home (/root, /home/runner) wherever the scanner runs from. A lint
// step scanning the checkout (`gitleaks detect --source .`) raises nothing, nor does a remote target (`trufflehog github --org=...`).
// Critical when a package-install or build step started it.
#include <algorithm>

#include "trail/events/types.hpp"
#include "trail/findings/rule.hpp"
#include "trail/findings/rule_util.hpp"
#include "trail/findings/tool_names.hpp"

namespace jobtrail::findings {
namespace {

bool is_scanner(const json& ev) {
  return is_tool(ev, {"trufflehog", "gitleaks", "noseyparker", "nosey-parker", "detect-secrets", "detect-secrets-hook",
                      "ggshield", "kingfisher", "secretlint", "whispers", "ripsecrets", "talisman", "titus", "betterleaks"});
}

// Paths on the command line the scanner reads (relative ones against cwd), from the scanner's
// own argument on: subcommand words and remote targets left out.
std::vector<std::string> scan_targets(const std::vector<std::string>& args, const std::string& cwd, bool gitleaks) {
  std::vector<std::string> out;
  bool has_source = false, remote = false;
  for (std::size_t i = 1; i < args.size() && i < 256; ++i) {
    const std::string& a = args[i];
    const auto eq = a.find('=');
    const std::string name = a.substr(0, eq);
    if (name == "--source" || name == "-s" || name == "--directory" || name == "--path" || name == "--repo-path" ||
        name == "--dir" || name == "--root") {
      std::string v = eq != std::string::npos ? a.substr(eq + 1) : i + 1 < args.size() ? args[++i] : "";
      if (!v.empty()) out.push_back(v), has_source = true;
      continue;
    }
    if (a.empty() || a[0] == '-') continue;
    if (a.rfind("file://", 0) == 0) {
      out.push_back(a.substr(7));
      continue;
    }
    if (a.find("://") != std::string::npos || a.rfind("git@", 0) == 0) { remote = true; continue; }
    // subcommands and targets that are no path
    static const char* words[] = {"filesystem", "git", "github", "gitlab", "s3", "gcs", "docker", "detect", "protect", "dir",
                                  "directory", "scan", "secret", "path", "repo", "stdin", "report", "analyze", "audit",
                                  "hook", "pre-commit", "ci", "huggingface", "postman", "jenkins", "syslog", "circleci",
                                  "travisci", "elasticsearch", "version", "help"};
    bool word = false;
    for (const char* w : words) word |= a == w;
    if (word) {
      remote |= a == "github" || a == "gitlab" || a == "s3" || a == "gcs" || a == "docker" || a == "huggingface" ||
                a == "postman" || a == "jenkins" || a == "circleci" || a == "travisci" || a == "elasticsearch";
      continue;
    }
    out.push_back(a);
  }
  if (out.empty() && gitleaks && !has_source && !remote) out.push_back(".");  // gitleaks scans its cwd by default
  for (auto& p : out) p = absolute_path(p, cwd);
  return out;
}

// "/", a top-level folder (/home, /root, /etc) or a home (/home/runner): never a checkout, even
// when the scanner runs from there (`cd / && trufflehog filesystem .`).
bool machine_root(const std::string& p) {
  const auto depth = std::count(p.begin(), p.end(), '/');
  return p == "/" || depth == 1 || (p.rfind("/home/", 0) == 0 && depth == 2);
}

class SecretScanOutsideCheckout : public Rule {
 public:
  const char* id() const override { return "secret-scan-outside-checkout"; }
  void on_event(const json& ev, const JobState& st, const Config&, std::vector<Finding>& out) override {
    if (type_of(ev) != events::type_name::process_exec || !is_scanner(ev)) return;
    const std::string cwd = str_at(family(ev, "process"), "cwd");
    const std::string checkout = checkout_of(absolute_path(cwd, "/"));
    for (auto& target : scan_targets(args_of(ev), cwd, is_tool(ev, {"gitleaks"}))) {
      if (is_within(target, checkout) && !machine_root(target)) continue;
      const ExecInfo* step = build_step_ancestor(ev, st);
      Finding f = single(id(), step ? critical : high,
                         "secret scanner over " + target + ", outside the checkout " + checkout +
                             (step ? " (started from `" + step->build_step + "`)" : "") + ": " + command_text(ev),
                         ev);
      if (step) {
        f.exec_ids.insert(f.exec_ids.begin(), step->exec_id);
        f.evidence.insert(f.evidence.begin(), step->seq);
      }
      out.push_back(std::move(f));
      return;  // one finding per scanner run
    }
  }
};

}  // namespace

std::unique_ptr<Rule> make_secret_scan_outside_checkout() { return std::make_unique<SecretScanOutsideCheckout>(); }

}  // namespace jobtrail::findings
