// tls-verify-disabled: TLS certificate checks switched off, from argv (curl -k/--insecure,
// wget --no-check-certificate, git -c http.sslVerify=false, git config http.sslVerify false,
// --insecure-skip-tls-verify, pip --trusted-host, npm --strict-ssl=false) or from the
// allow-listed env at exec (GIT_SSL_NO_VERIFY set, NODE_TLS_REJECT_UNAUTHORIZED=0,
// PYTHONHTTPSVERIFY=0). Env is inherited: only the exec that introduces a setting (its
// parent exec lacks it) is flagged, not every descendant.
#include <algorithm>
#include <cctype>

#include "trail/events/types.hpp"
#include "trail/findings/rule.hpp"
#include "trail/findings/rule_util.hpp"

namespace jobtrail::findings {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}
bool falsy(const std::string& v) {
  auto l = lower(v);
  return l == "false" || l == "0" || l == "no" || l == "off";
}

// curl short-option clusters: "-sSLk" holds -k; in "-ok" the 'k' is -o's value.
bool curl_cluster_has_k(const std::string& a) {
  if (a.size() < 2 || a[0] != '-' || a[1] == '-') return false;
  static const std::string takes_value = "AbcCdDeEFHKmoPQrTuUwxXyYz";
  for (std::size_t i = 1; i < a.size(); ++i) {
    if (a[i] == 'k') return true;
    if (takes_value.find(a[i]) != std::string::npos) return false;
  }
  return false;
}

// git: "http.sslVerify=false" or "http.<url>.sslVerify=false" (keys are case-insensitive).
bool git_ssl_off(const std::string& kv) {
  auto l = lower(kv);
  auto eq = l.find('=');
  if (eq == std::string::npos) return false;
  auto key = l.substr(0, eq);
  return key.rfind("http.", 0) == 0 && key.size() >= 10 && key.compare(key.size() - 10, 10, ".sslverify") == 0 &&
         falsy(l.substr(eq + 1));
}

std::string argv_reason(const json& ev) {
  auto args = args_of(ev);
  const bool curl = is_program(ev, {"curl"}), wget = is_program(ev, {"wget", "wget2"}), git = is_program(ev, {"git"});
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") break;
    if (curl && (a == "--insecure" || a == "--proxy-insecure" || curl_cluster_has_k(a))) return "curl " + a;
    if (wget && a == "--no-check-certificate") return "wget --no-check-certificate";
    if (git && a == "-c" && i + 1 < args.size() && git_ssl_off(args[i + 1])) return "git -c " + args[i + 1];
    if (git && a.rfind("-c", 0) == 0 && a.size() > 2 && git_ssl_off(a.substr(2))) return "git " + a;
    if (git && a == "config") {  // git config [--global] http.sslVerify false
      for (std::size_t j = i + 1; j + 1 < args.size(); ++j)
        if (git_ssl_off(args[j] + "=" + args[j + 1])) return "git config " + args[j] + " " + args[j + 1];
      break;
    }
    if (a == "--insecure-skip-tls-verify" || a == "--insecure-skip-tls-verify=true" || a == "--tls-verify=false")
      return basename_of(binary_of(ev)) + " " + a;
    if (a == "--strict-ssl=false" || (a == "--strict-ssl" && i + 1 < args.size() && falsy(args[i + 1])))
      return basename_of(binary_of(ev)) + " --strict-ssl false";
    if (a == "--trusted-host" || a.rfind("--trusted-host=", 0) == 0) return basename_of(binary_of(ev)) + " --trusted-host";
  }
  return {};
}

// The TLS-disabling env settings of one exec's env object, as "NAME=value" texts.
std::vector<std::string> env_settings(const json& env) {
  std::vector<std::string> out;
  if (!env.is_object()) return out;
  if (auto v = env.find("GIT_SSL_NO_VERIFY"); v != env.end() && v->is_string())
    out.push_back("GIT_SSL_NO_VERIFY=" + v->get<std::string>());  // git: any value disables checks
  for (const char* k : {"NODE_TLS_REJECT_UNAUTHORIZED", "PYTHONHTTPSVERIFY"})
    if (auto v = env.find(k); v != env.end() && v->is_string() && v->get<std::string>() == "0")
      out.push_back(std::string(k) + "=0");
  return out;
}

class TlsVerifyDisabled : public Rule {
 public:
  const char* id() const override { return "tls-verify-disabled"; }
  void on_event(const json& ev, const JobState& st, const Config&, std::vector<Finding>& out) override {
    if (type_of(ev) != events::type_name::process_exec) return;
    if (auto why = argv_reason(ev); !why.empty())
      out.push_back(single(id(), medium, "TLS verification disabled: " + why + " (" + command_text(ev) + ")", ev));
    const auto env = ev.find("env");  // not ev.value(): that copies the exec's whole environment
    auto mine = env != ev.end() ? env_settings(*env) : std::vector<std::string>{};
    if (mine.empty()) return;
    const auto* parent = st.exec(parent_exec_id_of(ev));
    auto inherited = parent ? env_settings(parent->env) : std::vector<std::string>{};
    for (auto& s : mine)
      if (std::find(inherited.begin(), inherited.end(), s) == inherited.end())
        out.push_back(single(id(), medium, "TLS verification disabled by environment: " + s + " (" + command_text(ev) + ")", ev));
  }
};

}  // namespace

std::unique_ptr<Rule> make_tls_verify_disabled() { return std::make_unique<TlsVerifyDisabled>(); }

}  // namespace jobtrail::findings
