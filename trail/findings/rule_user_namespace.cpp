// user-namespace: creating a user namespace (unshare(CLONE_NEWUSER) as a priv event, or
// `unshare -U/--user/-r/--map-root-user`): the usual first step of kernel exploits that need
// capabilities. Other namespaces alone (`unshare -n`) are not flagged.
#include <unordered_set>

#include "trail/events/types.hpp"
#include "trail/findings/rule.hpp"
#include "trail/findings/rule_util.hpp"

namespace jobtrail::findings {
namespace {

class UserNamespace : public OncePerExecRule {
 public:
  const char* id() const override { return "user-namespace"; }
 private:
  void check(const json& ev, std::vector<Finding>& out) override {
    const std::string sys = priv_syscall(ev);
    if (sys == "unshare" || sys == "clone" || sys == "clone3") {
      if (has_flag(priv_args(ev).value("flags", json()), 0x10000000 /* CLONE_NEWUSER */, "NEWUSER"))
        out.push_back(single(id(), medium, "user namespace created (" + sys + " CLONE_NEWUSER) by " + command_text(ev) +
                                               failed_suffix(family(ev, "priv")), ev));
      return;
    }
    if (type_of(ev) != events::type_name::process_exec || !is_program(ev, {"unshare"})) return;
    auto args = args_of(ev);
    for (std::size_t i = 1; i < args.size(); ++i) {
      const std::string& a = args[i];
      if (!a.empty() && a[0] != '-') break;  // the command to run
      bool user = a == "--user" || a.rfind("--user=", 0) == 0 || a == "--map-root-user" || a == "--map-current-user" ||
                  a == "--map-user" || a.rfind("--map-user=", 0) == 0;
      if (a.size() > 1 && a[1] != '-') user |= a.find_first_of("Ur") != std::string::npos;
      if (user) {
        out.push_back(single(id(), medium, "user namespace created: " + command_text(ev), ev));
        return;
      }
    }
  }
};

}  // namespace

std::unique_ptr<Rule> make_user_namespace() { return std::make_unique<UserNamespace>(); }

}  // namespace jobtrail::findings
