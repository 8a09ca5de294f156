// privileged-container: the container runtime asked for a container that owns the host:
// `docker|podman|nerdctl [global opts] run|create|container run|create` with --privileged,
// a bind mount of / (-v /:/host, --volume=/:/x, --mount type=bind,source=/,...), or
// --pid=host; also a raw API call through the socket (`curl --unix-socket .../docker.sock`
// with "Privileged":true / "PidMode":"host" / a "/:" bind in its body). Plain use of
// /var/run/docker.sock (DOCKER_HOST in actions-runner-controller's dind mode) is normal and
// never flagged by itself. Options after the image are the container's command, not flags.
#include "trail/events/types.hpp"
#include "trail/findings/rule.hpp"
#include "trail/findings/rule_util.hpp"

namespace jobtrail::findings {
namespace {

// `docker run` options that take a separate value (so the value is not taken for the image).
bool takes_value(const std::string& o) {
  static const char* v[] = {"-v", "--volume", "-e", "--env", "-p", "--publish", "-w", "--workdir", "-u", "--user",
                            "-h", "--hostname", "-l", "--label", "-m", "--memory", "-c", "--cpu-shares", "--name",
                            "--network", "--net", "--pid", "--ipc", "--uts", "--userns", "--mount", "--entrypoint",
                            "--env-file", "--cap-add", "--cap-drop", "--device", "--security-opt", "--platform",
                            "--restart", "--add-host", "--dns", "--cpus", "--shm-size", "--tmpfs", "--ulimit",
                            "--volumes-from", "--workdir", "--label-file", "--log-driver", "--log-opt", "--pull",
                            "--cgroupns", "--cgroup-parent", "--group-add", "--health-cmd", "--stop-signal", "--runtime",
                            "--gpus", "--expose", "--link", "--network-alias", "--ip", "--ip6", "--mac-address"};
  for (const char* x : v)
    if (o == x) return true;
  return false;
}

bool host_root_bind(const std::string& spec) {  // "-v" value: "/:/host[:ro]"
  return spec.rfind("/:", 0) == 0 || spec == "/";
}
bool host_root_mount(const std::string& spec) {  // "--mount" value: "type=bind,source=/,target=/h"
  for (const char* k : {"source=/,", "src=/,"})
    if (spec.find(k) != std::string::npos) return true;
  return spec.size() >= 8 && (spec.compare(spec.size() - 8, 8, "source=/") == 0 || spec.compare(spec.size() - 5, 5, "src=/") == 0);
}

std::string risky_run_options(const std::vector<std::string>& args, std::size_t from) {
  std::string found;
  auto add = [&](const std::string& what) { found += (found.empty() ? "" : " ") + what; };
  for (std::size_t i = from; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") break;
    if (a.empty() || a[0] != '-') break;  // the image: what follows is the container's command
    std::string name = a, value;
    if (auto eq = a.find('='); eq != std::string::npos && a.rfind("--", 0) == 0) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
    } else if (takes_value(a) && i + 1 < args.size()) {
      value = args[++i];
    } else if (a.size() > 2 && a[1] != '-' && (a[1] == 'v' || a[1] == 'e')) {  // -v/:/host
      name = a.substr(0, 2);
      value = a.substr(2);
    }
    if (name == "--privileged" && value != "false") add("--privileged");
    else if ((name == "-v" || name == "--volume") && host_root_bind(value)) add(name + " " + value);
    else if (name == "--mount" && host_root_mount(value)) add("--mount " + value);
    else if (name == "--pid" && value == "host") add("--pid=host");
  }
  return found;
}

class PrivilegedContainer : public Rule {
 public:
  const char* id() const override { return "privileged-container"; }
  void on_event(const json& ev, const JobState&, const Config&, std::vector<Finding>& out) override {
    if (type_of(ev) != events::type_name::process_exec) return;
    auto args = args_of(ev);
    if (is_program(ev, {"docker", "podman", "nerdctl"})) {
      std::size_t i = 1;  // skip global options: docker -H unix:///x --context c run ...
      while (i < args.size() && !args[i].empty() && args[i][0] == '-') {
        const std::string& g = args[i];
        const bool valued = g == "-H" || g == "--host" || g == "-c" || g == "--context" || g == "--config" || g == "-l" ||
                            g == "--log-level" || g == "--tlscacert" || g == "--tlscert" || g == "--tlskey" ||
                            g == "--url" || g == "--connection" || g == "--address" || g == "-a" || g == "--namespace" ||
                            g == "-n";
        i += valued ? 2 : 1;
      }
      if (i < args.size() && args[i] == "container") ++i;
      if (i >= args.size() || (args[i] != "run" && args[i] != "create")) return;
      if (auto found = risky_run_options(args, i + 1); !found.empty())
        out.push_back(single(id(), critical, "privileged or host-mounting container: " + found + " (" + command_text(ev) + ")", ev));
      return;
    }
    if (!is_program(ev, {"curl"})) return;
    bool socket = false, risky = false;
    for (auto& a : args) {
      socket |= a.find("docker.sock") != std::string::npos || a.find("podman.sock") != std::string::npos ||
                a.find("containerd.sock") != std::string::npos;
      for (const char* k : {"\"Privileged\":true", "\"Privileged\": true", "\"PidMode\":\"host\"", "\"PidMode\": \"host\"", "\"/:/"})
        risky |= a.find(k) != std::string::npos;
    }
    if (socket && risky)
      out.push_back(single(id(), critical, "privileged container requested through the runtime socket: " + command_text(ev), ev));
  }
};

}  // namespace

std::unique_ptr<Rule> make_privileged_container() { return std::make_unique<PrivilegedContainer>(); }

}  // namespace jobtrail::findings
