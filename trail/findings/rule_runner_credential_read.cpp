// runner-credential-read: a secret of the runner or of the job's tools read by a process that
// is neither the runner nor the tool the secret belongs to: the runner's registration
// (.credentials, .credentials_rsaparams, .runner: critical, they let anyone act as this
// runner), token files actions leave in _work/_temp (checkout's git-credentials-*.config,
// gha-creds-*.json, *token*, *.pem, ...), ~/.docker/config.json, ~/.npmrc, ~/.config/gh/hosts.yml,
// ~/.git-credentials, ~/.pypirc and the cloud CLIs' credential files. Only opens that succeeded
// count (SDKs probe for missing files), and the exec that wrote a file may read it back.
#include <deque>
#include <unordered_map>

#include "trail/events/types.hpp"
#include "trail/findings/rule.hpp"
#include "trail/findings/rule_util.hpp"
#include "trail/findings/tool_names.hpp"

namespace jobtrail::findings {
namespace {

struct Secret {
  const char* suffix;  // the path ends with it (a '/' starts every suffix: a whole path component)
  const char* what;
  std::vector<const char*> owners;  // tool_names() allowed to read it
  bool runner;                                 // the runner's own registration
};

const std::vector<Secret>& secrets() {
  static const std::vector<Secret> table = {
      {"/.credentials", "runner credentials", {}, true},
      {"/.credentials_rsaparams", "runner RSA key", {}, true},
      {"/.runner", "runner registration", {"config", "run", "Runner.Listener"}, true},
      {"/.docker/config.json", "docker registry credentials",
       {"docker", "dockerd", "docker-buildx", "buildx", "buildctl", "podman", "nerdctl", "skopeo", "crane", "kaniko", "executor",
        "helm", "oras", "cosign", "trivy", "docker-credential-desktop", "docker-credential-ecr-login"},
       false},
      {"/.npmrc", "npm token", {"npm", "npx", "pnpm", "pnpx", "yarn", "bun", "bunx", "corepack", "node-gyp", "lerna", "changeset", "nx"}, false},
      {"/.yarnrc.yml", "yarn token", {"yarn", "corepack"}, false},
      {"/.config/gh/hosts.yml", "GitHub CLI token", {"gh"}, false},
      {"/.git-credentials", "git credentials", {"git", "git-credential-store", "git-remote-https", "git-remote-http"}, false},
      {"/.pypirc", "PyPI token", {"twine", "poetry", "flit", "pdm", "hatch", "uv", "maturin"}, false},
      {"/.gem/credentials", "RubyGems token", {"gem", "bundle", "bundler", "rake"}, false},
      {"/.cargo/credentials.toml", "crates.io token", {"cargo"}, false},
      {"/.cargo/credentials", "crates.io token", {"cargo"}, false},
      {"/.aws/credentials", "AWS credentials", {"aws", "terraform", "tofu", "pulumi", "sam", "cdk", "eksctl", "packer", "aws_completer"}, false},
      {"/.config/gcloud/application_default_credentials.json", "Google Cloud credentials", {"gcloud", "gsutil", "bq", "terraform", "tofu"}, false},
      {"/.config/gcloud/credentials.db", "Google Cloud credentials", {"gcloud", "gsutil", "bq"}, false},
      {"/.config/gcloud/access_tokens.db", "Google Cloud tokens", {"gcloud", "gsutil", "bq"}, false},
      {"/.azure/msal_token_cache.json", "Azure tokens", {"az", "azure"}, false},
      {"/.azure/accessTokens.json", "Azure tokens", {"az", "azure"}, false},
      {"/.kube/config", "Kubernetes credentials", {"kubectl", "helm", "kustomize", "kind", "k3d", "minikube", "flux", "argocd", "k9s", "terraform", "tofu"}, false},
      {"/.terraform.d/credentials.tfrc.json", "Terraform Cloud token", {"terraform", "tofu"}, false},
  };
  return table;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// A token file an action left in the runner's temp folder (_work/_temp, RUNNER_TEMP).
bool temp_token(const std::string& path, bool* git_owned) {
  if (path.find("/_work/_temp/") == std::string::npos && path.find("/__w/_temp/") == std::string::npos) return false;
  const std::string name = lowered(basename_of(path));
  *git_owned = name.rfind("git-credentials-", 0) == 0;
  if (*git_owned || name.rfind("gha-creds-", 0) == 0) return true;
  for (const char* word : {"credential", "token", "secret", "password", "kubeconfig"})
    if (name.find(word) != std::string::npos) return true;
  for (const char* ext : {".pem", ".key", ".p12", ".pfx", ".jks"})
    if (ends_with(name, ext)) return true;
  return false;
}

bool read_ok(const json& ev) {
  const std::string type = type_of(ev);
  const auto& file = family(ev, "file");
  if (type == events::type_name::file_io) {
    auto n = file.find("bytes_read");
    return n != file.end() && n->is_number() && n->get<double>() > 0;
  }
  if (type != events::type_name::file_open || !failed_suffix(file).empty()) return false;
  auto it = file.find("mode");
  if (it == file.end() || !it->is_array()) return false;
  for (auto& m : *it)
    if (m.is_string() && m.get<std::string>() == "read") return true;
  return false;
}

// The reader for titles: the event's process text, or its exec's binary when the event has none.
std::string who(const json& ev, const JobState& st) {
  if (!args_of(ev).empty()) return command_text(ev);
  const ExecInfo* e = st.exec(exec_id_of(ev));
  return e ? e->binary + " (exec " + std::to_string(e->exec_id) + ")" : command_text(ev);
}

class RunnerCredentialRead : public Rule {
 public:
  const char* id() const override { return "runner-credential-read"; }
  std::uint64_t dropped() const override { return dropped_; }
  void on_event(const json& ev, const JobState& st, const Config& cfg, std::vector<Finding>& out) override {
    const std::string type = type_of(ev);
    namespace name = events::type_name;
    if (type != name::file_open && type != name::file_io && type != name::file_change) return;
    std::string path = file_path(ev);
    if (type == name::file_change) path = str_at(family(ev, "file"), "new_path");  // a rename/link onto a secret makes it the writer's
    bool git_owned = false;
    const Secret* secret = nullptr;
    for (auto& s : secrets())
      if (ends_with(path, s.suffix)) secret = &s;
    const bool temp = !secret && temp_token(path, &git_owned);
    if (!secret && !temp) return;
    if (type == name::file_change || file_written(ev)) {  // setup-node writes .npmrc, docker login config.json
      note_writer(path, exec_id_of(ev), cfg);
      if (type == name::file_change) return;
    }
    if (!read_ok(ev)) return;
    if (auto w = writers_.find(path); w != writers_.end() && w->second == exec_id_of(ev)) return;
    for (auto& n : tools_of(ev, st)) {
      if (n.rfind("Runner.", 0) == 0) return;  // the runner itself (Listener, Worker, PluginHost)
      if (secret)
        for (const char* o : secret->owners)
          if (n == o || (std::string(o) == "docker" && n.rfind("docker-", 0) == 0)) return;
      if (temp && git_owned && (n == "git" || n.rfind("git-", 0) == 0)) return;
    }
    const std::string what = secret ? secret->what : "token file of an action";
    out.push_back(single(id(), secret && secret->runner && std::string(secret->suffix) != "/.runner" ? critical : high,
                         "credential read: " + what + " " + path + " by " + who(ev, st), ev));
  }

 private:
  void note_writer(const std::string& path, std::uint64_t exec_id, const Config& cfg) {
    if (!writers_.count(path)) order_.push_back(path);
    writers_[path] = exec_id;
    while (writers_.size() > cfg.max_tracked && !order_.empty()) {
      writers_.erase(order_.front());
      order_.pop_front();
      ++dropped_;
    }
  }
  std::unordered_map<std::string, std::uint64_t> writers_;  // secret path -> exec that wrote it
  std::deque<std::string> order_;
  std::uint64_t dropped_ = 0;
};

}  // namespace

std::unique_ptr<Rule> make_runner_credential_read() { return std::make_unique<RunnerCredentialRead>(); }

}  // namespace jobtrail::findings
