// libFuzzer target for the DNS decoder: any bytes, as a UDP payload and as a TCP stream cut
// into two segments (trail/dns/tcp_stream.hpp), must decode or report an error without
// crashing, hanging or reading out of bounds (ASan).
#include <cstddef>
#include <cstdint>
#include <span>

#include "trail/dns/message.hpp"
#include "trail/dns/name_table.hpp"
#include "trail/dns/tcp_stream.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::uint8_t> bytes(data, size);
  auto udp = jobtrail::dns::parse_message(bytes);
  jobtrail::dns::NameTable table(8);
  table.learn(udp.message);
  // DNS over TCP reassembly: the first byte says where the stream is cut into two segments
  jobtrail::dns::TcpStreams streams(4, 512);
  const std::size_t cut = size ? data[0] % size : 0;
  for (auto piece : {bytes.first(cut), bytes.subspan(cut)})
    for (auto& m : streams.feed("s", piece, true).messages) table.learn(jobtrail::dns::parse_message(m.bytes).message);
  (void)jobtrail::dns::type_name(udp.message.qtype);
  (void)jobtrail::dns::rcode_name(udp.message.rcode);
  return 0;
}
