// setns records: the kernel's host-namespace verdict (priv_event.host_ns, bpf/lib/host_ns.bpf.h)
// as the decoder writes it into priv.args (pure, no kernel).
#include <doctest/doctest.h>

#include <cstddef>
#include <memory>

#include "bpf/events/priv.h"
#include "trail/events/priv_decode.hpp"

using nlohmann::json;
using namespace jobtrail;

// host_ns took the place of a 16-bit pad: the record's layout must not move.
static_assert(offsetof(priv_event, host_ns) == offsetof(priv_event, str_len) + 3 * sizeof(__u16));
static_assert(offsetof(priv_event, str) == offsetof(priv_event, host_ns) + sizeof(__u16));

namespace {

std::unique_ptr<priv_event> setns_record(long ret, unsigned host_ns, unsigned inum) {
  auto e = std::make_unique<priv_event>();
  e->hdr.type = JT_EV_PRIV_SYSCALL;
  e->hdr.size = sizeof(*e);
  e->hdr.pid = 42;
  e->hdr.exec_id = 7;
  e->syscall = JT_PRIV_SETNS;
  e->ret = ret;
  e->args[0] = 3;
  e->args[1] = 0x00020000;  // CLONE_NEWNS
  e->extra = inum;
  e->host_ns = static_cast<__u16>(host_ns);
  return e;
}

json args_of(const priv_event& e) {
  std::string why;
  auto j = events::decode_priv_record(&e, sizeof(e), &why);
  REQUIRE_MESSAGE(j, why);
  return (*j)["priv"]["args"];
}

}  // namespace

TEST_CASE("setns into the host's mount namespace: host_ns true with the kind and inode") {
  auto e = setns_record(0, JT_HOST_NS_DECIDED | JT_HOST_NS_MNT, 4026531841u);
  json a = args_of(*e);
  CHECK(a["namespaces"] == json({"mnt"}));
  CHECK(a["host_ns"] == true);
  CHECK(a["host_namespaces"] == json({"mnt"}));
  CHECK(a["ns_inum"] == 4026531841u);
}

TEST_CASE("setns host verdicts: another namespace and an undecided call") {
  auto other = setns_record(0, JT_HOST_NS_DECIDED, 4026532999u);
  json a = args_of(*other);
  CHECK(a["host_ns"] == false);
  CHECK_FALSE(a.contains("host_namespaces"));
  CHECK(a["ns_inum"] == 4026532999u);
  auto undecided = setns_record(-1, 0, 0);  // a failed pidfd setns: nothing is claimed
  a = args_of(*undecided);
  CHECK_FALSE(a.contains("host_ns"));
  CHECK_FALSE(a.contains("ns_inum"));
}

TEST_CASE("host namespace kinds in bit order") {
  CHECK(events::host_namespace_kinds(JT_HOST_NS_NET | JT_HOST_NS_PID | JT_HOST_NS_TIME | JT_HOST_NS_DECIDED) ==
        json({"pid", "net", "time"}));
  CHECK(events::host_namespace_kinds(0) == json::array());
}
