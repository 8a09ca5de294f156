// domain-not-allowed: with an allow-list configured (Config::allowed_domains, e.g.
// "github.com", "*.githubusercontent.com"), every name the job looks up (dns_query) or connects
// to (net_connect dst_name) outside it. One finding per name. Idle without an allow-list.
#include <unordered_set>

#include "trail/events/types.hpp"
#include "trail/findings/rule.hpp"
#include "trail/findings/rule_util.hpp"

namespace jobtrail::findings {
namespace {

class DomainNotAllowed : public Rule {
 public:
  const char* id() const override { return "domain-not-allowed"; }
  void on_event(const json& ev, const JobState&, const Config& cfg, std::vector<Finding>& out) override {
    if (cfg.allowed_domains.empty()) return;
    const std::string type = type_of(ev);
    std::string name;
    if (type == events::type_name::dns_query) name = str_at(family(ev, "dns"), "name");
    else if (type == events::type_name::net_connect) name = str_at(family(ev, "net"), "dst_name");
    else return;
    while (!name.empty() && name.back() == '.') name.pop_back();
    if (name.empty() || domain_allowed(name, cfg.allowed_domains)) return;
    if (flagged_.size() >= cfg.max_tracked || !flagged_.insert(name).second) return;
    out.push_back(single(id(), medium, "domain outside the allow-list: " + name + " by " + command_text(ev), ev));
  }

 private:
  std::unordered_set<std::string> flagged_;
};

}  // namespace

std::unique_ptr<Rule> make_domain_not_allowed() { return std::make_unique<DomainNotAllowed>(); }

}  // namespace jobtrail::findings
