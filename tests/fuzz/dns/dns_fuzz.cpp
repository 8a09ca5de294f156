// libFuzzer target for the DNS decoder: any bytes, as UDP payload and as a TCP message, must
// decode or report an error without crashing, hanging or reading out of bounds (ASan).
#include <cstddef>
#include <cstdint>
#include <span>

#include "trail/dns/message.hpp"
#include "trail/dns/name_table.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::uint8_t> bytes(data, size);
  auto udp = jobtrail::dns::parse_message(bytes);
  jobtrail::dns::NameTable table(8);
  table.learn(udp.message);
  auto tcp = jobtrail::dns::parse_tcp_message(bytes);
  table.learn(tcp.message);
  (void)jobtrail::dns::type_name(udp.message.qtype);
  (void)jobtrail::dns::rcode_name(udp.message.rcode);
  return 0;
}
