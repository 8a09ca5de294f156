// hardcoded-ip: a TCP connection (or UDP flow, DNS port aside) to an address no DNS answer in
// the job explains: an IP written into the job rather than looked up. Loopback, the metadata
// service (own rule) and, unless Config::hardcoded_ip_private, private/link-local/ULA addresses
// (cluster services reached through KUBERNETES_SERVICE_HOST and the like) are left out.
// One finding per destination address and port.
#include <unordered_set>

#include "trail/events/types.hpp"
#include "trail/findings/address.hpp"
#include "trail/findings/rule.hpp"
#include "trail/findings/rule_util.hpp"

namespace jobtrail::findings {
namespace {

class HardcodedIp : public Rule {
 public:
  const char* id() const override { return "hardcoded-ip"; }
  void on_event(const json& ev, const JobState& st, const Config& cfg, std::vector<Finding>& out) override {
    const std::string type = type_of(ev);
    if (type != events::type_name::net_connect && type != events::type_name::net_udp) return;
    const auto& net = family(ev, "net");
    const std::string dst = normalize_address(str_at(net, "dst_addr")), port = str_at(net, "dst_port");
    if (dst.empty() || !is_ip_literal(dst) || is_loopback_or_unspecified(dst) || is_metadata_address(dst)) return;
    if (type == events::type_name::net_udp && port == "53") return;  // DNS servers come from resolv.conf, not from DNS
    if (!cfg.hardcoded_ip_private && is_private(dst)) return;
    if (!str_at(net, "dst_name").empty() || !st.name_for(dst).empty()) return;
    const std::string where = (dst.find(':') != std::string::npos ? "[" + dst + "]" : dst) + ":" + port;
    if (flagged_.size() >= cfg.max_tracked) return;
    if (!flagged_.insert(where).second) return;
    out.push_back(single(id(), medium, "connection to an address no DNS answer explains: " + where + " by " +
                                           command_text(ev) + failed_suffix(net), ev));
  }

 private:
  std::unordered_set<std::string> flagged_;
};

}  // namespace

std::unique_ptr<Rule> make_hardcoded_ip() { return std::make_unique<HardcodedIp>(); }

}  // namespace jobtrail::findings
