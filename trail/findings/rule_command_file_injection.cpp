// command-file-injection: a step writes LD_PRELOAD, NODE_OPTIONS, BASH_ENV or a PATH entry into
// the runner's command files, so that every later step of the job runs with it. The trail has
// no file contents: $GITHUB_PATH holds nothing but PATH entries, so any write to it counts; for
// $GITHUB_ENV the argv of the exec that opened it shows what was written when the write is a
// small echo in a `sh -c` command line (a builtin echo in a script file shows nothing, and the
// plain write is in the trail anyway as an unfolded file_open with command_file).
#include <array>
#include <string_view>

#include "trail/events/types.hpp"
#include "trail/findings/event_view.hpp"
#include "trail/findings/rule.hpp"
#include "trail/findings/rule_util.hpp"

namespace jobtrail::findings {
namespace {

// Variables that make later steps load or run what the job chose.
constexpr std::array<std::string_view, 4> kInjected = {"LD_PRELOAD=", "NODE_OPTIONS=", "BASH_ENV=", "PATH="};

class CommandFileInjection : public Rule {
 public:
  const char* id() const override { return "command-file-injection"; }
  void on_event(const json& ev, const JobState&, const Config&, std::vector<Finding>& out) override {
    if (type_of(ev) != events::type_name::file_open) return;  // --files all adds a file_io at the release: not twice
    const json& file = family(ev, "file");
    const json& kind = file.is_object() ? file.value("command_file", json()) : json();
    if (!kind.is_string() || !file_written(ev)) return;
    const std::string& variable = kind.get_ref<const std::string&>();
    if (variable == "GITHUB_PATH") {
      out.push_back(single(id(), medium, "PATH entry added for later steps ($GITHUB_PATH) by " + command_text(ev), ev));
      return;
    }
    if (variable != "GITHUB_ENV") return;
    for (const auto& arg : args_of(ev))
      for (auto name : kInjected)
        if (arg.find(name) != std::string::npos) {
          const std::string shown(name.substr(0, name.size() - 1));
          out.push_back(single(id(), name == "PATH=" ? medium : high,
                               shown + " set for later steps ($GITHUB_ENV) by " + command_text(ev), ev));
          return;
        }
  }
};

}  // namespace

std::unique_ptr<Rule> make_command_file_injection() { return std::make_unique<CommandFileInjection>(); }

}  // namespace jobtrail::findings
