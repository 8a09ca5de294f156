// cloud-metadata: reaching the cloud instance metadata service (node credentials): a
// connection or UDP flow to 169.254.169.254 / fd00:ec2::254 (also ECS 169.254.170.2 and
// Alibaba 100.100.100.200), a DNS query for metadata.google.internal, or a command line
// naming one of them (`curl http://169.254.169.254/latest/meta-data/iam/...`).
#include "trail/events/types.hpp"
#include "trail/findings/address.hpp"
#include "trail/findings/rule.hpp"
#include "trail/findings/rule_util.hpp"

namespace jobtrail::findings {
namespace {

bool names_metadata(const std::string& arg) {
  for (const char* m : {"169.254.169.254", "fd00:ec2::254", "169.254.170.2", "100.100.100.200", "metadata.google.internal"})
    if (arg.find(m) != std::string::npos) return true;
  return false;
}

class CloudMetadata : public Rule {
 public:
  const char* id() const override { return "cloud-metadata"; }
  void on_event(const json& ev, const JobState&, const Config&, std::vector<Finding>& out) override {
    const std::string type = type_of(ev);
    if (type == events::type_name::net_connect || type == events::type_name::net_udp) {
      const auto& net = family(ev, "net");
      const std::string dst = str_at(net, "dst_addr");
      if (is_metadata_address(dst))
        out.push_back(single(id(), high, "cloud metadata service contacted: " + dst + ":" + str_at(net, "dst_port") + " by " +
                                             command_text(ev) + failed_suffix(net), ev));
    } else if (type == events::type_name::dns_query) {
      std::string name = str_at(family(ev, "dns"), "name");
      if (name == "metadata.google.internal" || name == "metadata.google.internal.")
        out.push_back(single(id(), high, "cloud metadata service looked up: " + name + " by " + command_text(ev), ev));
    } else if (type == events::type_name::process_exec) {
      auto args = args_of(ev);
      for (std::size_t i = 1; i < args.size(); ++i)
        if (names_metadata(args[i])) {
          out.push_back(single(id(), high, "cloud metadata service named on a command line: " + command_text(ev), ev));
          return;
        }
    }
  }
};

}  // namespace

std::unique_ptr<Rule> make_cloud_metadata() { return std::make_unique<CloudMetadata>(); }

}  // namespace jobtrail::findings
