// crypto-mining: a miner at work: a stratum URL on a command line (stratum+tcp://...), a known
// miner binary (xmrig, ...), a DNS lookup of a well-known pool, or a TCP connection to a port
// mining pools use (3333, 4444, 5555, 7777, 14433, 14444, 45560, 45700 on a public address: medium, as
// other services use these ports too).
#include <algorithm>
#include <cctype>
#include <cstring>

#include "trail/events/types.hpp"
#include "trail/findings/address.hpp"
#include "trail/findings/rule.hpp"
#include "trail/findings/rule_util.hpp"

namespace jobtrail::findings {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool pool_name(const std::string& n) {
  auto l = lower(n);
  for (const char* p : {"nanopool.org", "supportxmr.com", "minexmr.com", "2miners.com", "f2pool.com", "nicehash.com",
                        "moneroocean.stream", "hashvault.pro", "herominers.com", "ethermine.org", "c3pool.com",
                        "unmineable.com", "miningpoolhub.com", "viabtc.com", "antpool.com", "xmrpool.eu", "poolin.com"})
    if (l == p || (l.size() > std::strlen(p) && l.compare(l.size() - std::strlen(p) - 1, std::string::npos, std::string(".") + p) == 0))
      return true;
  return false;
}

class CryptoMining : public Rule {
 public:
  const char* id() const override { return "crypto-mining"; }
  void on_event(const json& ev, const JobState&, const Config&, std::vector<Finding>& out) override {
    const std::string type = type_of(ev);
    if (type == events::type_name::process_exec) {
      if (is_program(ev, {"xmrig", "xmr-stak", "minerd", "cpuminer", "ccminer", "ethminer", "t-rex", "nbminer", "lolminer",
                          "phoenixminer", "cgminer", "bfgminer", "srbminer", "srbminer-multi", "gminer", "teamredminer"})) {
        out.push_back(single(id(), high, "crypto miner started: " + command_text(ev), ev));
        return;
      }
      for (auto& a : args_of(ev))
        if (lower(a).find("stratum") != std::string::npos && a.find("://") != std::string::npos) {
          out.push_back(single(id(), high, "stratum mining URL on a command line: " + command_text(ev), ev));
          return;
        }
    } else if (type == events::type_name::dns_query) {
      std::string name = str_at(family(ev, "dns"), "name");
      while (!name.empty() && name.back() == '.') name.pop_back();
      if (pool_name(name)) out.push_back(single(id(), high, "mining pool looked up: " + name + " by " + command_text(ev), ev));
    } else if (type == events::type_name::net_connect) {
      const auto& net = family(ev, "net");
      const std::string port = str_at(net, "dst_port");
      const std::string addr = str_at(net, "dst_addr");
      if (is_loopback_or_unspecified(addr) || is_private(addr)) return;  // local test servers on 4444 and friends
      for (const char* p : {"3333", "4444", "5555", "7777", "14433", "14444", "45560", "45700"})
        if (port == p) {
          std::string dst = str_at(net, "dst_addr"), name = str_at(net, "dst_name");
          out.push_back(single(id(), pool_name(name) ? high : medium,
                               "connection to a mining pool port: " + dst + ":" + port + (name.empty() ? "" : " (" + name + ")") +
                                   " by " + command_text(ev),
                               ev));
          return;
        }
    }
  }
};

}  // namespace

std::unique_ptr<Rule> make_crypto_mining() { return std::make_unique<CryptoMining>(); }

}  // namespace jobtrail::findings
