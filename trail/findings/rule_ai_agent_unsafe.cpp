// ai-agent-unsafe: an AI coding agent started with its permission checks off, the way the nx
// "s1ngularity" postinstall (Aug 2025) had the developer's own agents hunt for secrets:
// `claude --dangerously-skip-permissions`, `gemini --yolo`, `q chat --trust-all-tools`,
// `codex --dangerously-bypass-approvals-and-sandbox` / `--full-auto`. The agent is known by its
// name or by its package's path (agents are node scripts: `node .../@anthropic-ai/claude-code/cli.js`);
// the flags by their meaning, in any order, with `=` forms (`--approval-mode=yolo`,
// `--permission-mode bypassPermissions`). Critical when a package-install or build step started
// it (the lifecycle script of a dependency), medium in a step of its own.
#include "trail/events/types.hpp"
#include "trail/findings/rule.hpp"
#include "trail/findings/rule_util.hpp"
#include "trail/findings/tool_names.hpp"

namespace jobtrail::findings {
namespace {

// The agent a command line runs, or "".
std::string agent_of(const json& ev) {
  for (auto& n : tool_names(ev))
    for (const char* a : {"claude", "gemini", "codex", "q", "kiro-cli", "qwen", "copilot", "cursor-agent", "aider", "opencode",
                          "goose", "amp", "crush"})
      if (n == a) return n;
  auto args = args_of(ev);
  for (std::size_t i = 1; i < args.size() && i < 8; ++i)  // the script of `node <script>`
    for (auto [pkg, name] : {std::pair<const char*, const char*>{"/@anthropic-ai/claude-code/", "claude"},
                             {"/@google/gemini-cli/", "gemini"}, {"/@openai/codex/", "codex"}, {"/@qwen-code/", "qwen"},
                             {"/@github/copilot/", "copilot"}, {"/opencode-ai/", "opencode"}})
      if (args[i].find(pkg) != std::string::npos) return name;
  return {};
}

// The flag that switches the agent's checks off, as written, or "".
std::string unsafe_flag(const std::string& agent, const std::vector<std::string>& args) {
  for (std::size_t i = 1; i < args.size() && i < 4096; ++i) {  // bounded work on a hostile argv
    const std::string& a = args[i];
    if (a == "--") break;
    const auto eq = a.find('=');
    const std::string name = lowered(a.substr(0, eq));
    const std::string value = lowered(eq != std::string::npos ? a.substr(eq + 1) : i + 1 < args.size() ? args[i + 1] : "");
    // spelled out by the tools themselves; unmistakable whichever program carries them
    if (name == "--dangerously-skip-permissions" || name == "--dangerously-bypass-approvals-and-sandbox" || name == "--yolo" ||
        name == "--trust-all-tools" || name == "--allow-all-tools")
      return a;
    if (agent.empty()) continue;
    if (name == "--permission-mode" && value == "bypasspermissions") return a + (eq == std::string::npos ? " " + args[i + 1] : "");
    if (name == "--approval-mode" && value == "yolo") return a + (eq == std::string::npos ? " " + args[i + 1] : "");
    if ((name == "--sandbox" || name == "-s") && agent == "codex" && value == "danger-full-access")
      return a + (eq == std::string::npos ? " " + args[i + 1] : "");
    if ((name == "--ask-for-approval" || name == "-a") && agent == "codex" && value == "never")
      return a + (eq == std::string::npos ? " " + args[i + 1] : "");
    if (name == "--full-auto" && agent == "codex") return a;
    if (name == "-y" && (agent == "gemini" || agent == "qwen")) return a;
    if (name == "--yes-always" && agent == "aider") return a;
    if (name == "--trust-tools" && (agent == "q" || agent == "kiro-cli")) return a;
  }
  return {};
}

class AiAgentUnsafe : public Rule {
 public:
  const char* id() const override { return "ai-agent-unsafe"; }
  void on_event(const json& ev, const JobState& st, const Config&, std::vector<Finding>& out) override {
    if (type_of(ev) != events::type_name::process_exec) return;
    const std::string agent = agent_of(ev);
    const std::string flag = unsafe_flag(agent, args_of(ev));
    if (flag.empty()) return;
    const ExecInfo* step = build_step_ancestor(ev, st);
    Finding f = single(id(), step ? critical : medium,
                       "AI agent with its safety off: " + (agent.empty() ? basename_of(binary_of(ev)) : agent) + " " + flag +
                           (step ? " started from `" + step->build_step + "` (exec " + std::to_string(step->exec_id) + ")" : "") +
                           " (" + command_text(ev) + ")",
                       ev);
    if (step) {
      f.exec_ids.insert(f.exec_ids.begin(), step->exec_id);
      f.evidence.insert(f.evidence.begin(), step->seq);
    }
    out.push_back(std::move(f));
  }
};

}  // namespace

std::unique_ptr<Rule> make_ai_agent_unsafe() { return std::make_unique<AiAgentUnsafe>(); }

}  // namespace jobtrail::findings
