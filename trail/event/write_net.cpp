// The `net` object (docs/schema.md, "Network") and the connection ends of an exec's stdio.
#include "trail/event/writers.hpp"

namespace jobtrail::event::write {

void flow(Object& parent, std::string_view k, const Flow& f) {
  parent.key(k);
  Object o(parent.line());
  o.member("dst_addr", f.dst_addr);
  o.member("dst_port", f.dst_port);
  o.member("family", f.family);
  o.member("protocol", f.protocol);
  o.member("src_addr", f.src_addr);
  o.member("src_port", f.src_port);
  o.close();
}

void net(Top& top, const Net& x) {
  using events::Type;
  const auto type = top.event().type;
  // The members each type's decoder writes (net_decode.cpp), and any other that is not zero.
  const bool close = type == Type::net_close, udp = type == Type::net_udp;
  auto& root = top.before("net");
  root.key("net");
  Object o(root.line());
  auto counter = [&](std::string_view k, std::uint64_t n, bool of_type) {
    if (of_type || n != 0) o.member(k, n);
  };
  counter("bytes", x.bytes, udp);
  counter("bytes_received", x.bytes_received, close);
  counter("bytes_sent", x.bytes_sent, close);
  counter("datagrams", x.datagrams, udp);
  o.optional("direction", x.direction);
  o.member("dst_addr", x.flow.dst_addr);
  o.optional("dst_name", x.dst_name);
  o.member("dst_port", x.flow.dst_port);
  counter("duration_ns", x.duration_ns, close);
  o.member("family", x.flow.family);
  o.optional("fd", x.fd);
  o.member("protocol", x.flow.protocol);
  o.optional("result", x.result);
  o.member("src_addr", x.flow.src_addr);
  o.member("src_port", x.flow.src_port);
  o.close();
}

}  // namespace jobtrail::event::write
