// The `dns` object (docs/schema.md, "DNS").
#include "trail/event/writers.hpp"

namespace jobtrail::event::write {

namespace {
void record(Object& list_owner, const DnsRecord& r) {
  Object o(list_owner.line());
  o.optional("data", r.data);
  o.member("name", r.name);
  o.member("ttl", r.ttl);
  o.member("type", r.type);
  o.close();
}
}  // namespace

void dns(Top& top, const Dns& x) {
  auto& root = top.before("dns");
  root.key("dns");
  Object o(root.line());
  if (x.answers) {
    o.key("answers");
    auto& out = o.line().out;
    out += '[';
    for (std::size_t i = 0; i < x.answers->size(); ++i) {
      if (i) out += ',';
      record(o, (*x.answers)[i]);
    }
    out += ']';
  }
  o.member("captured_bytes", x.captured_bytes);
  o.optional("error", x.error);
  o.member("id", x.id);
  o.flag("malformed", x.malformed);
  o.optional("name", x.name);
  o.member("packet_bytes", x.packet_bytes);
  o.optional("qtype", x.qtype);
  o.optional("rcode", x.rcode);
  o.optional("server", x.server);
  o.optional("transport", x.transport);
  o.optional("truncated", x.truncated);
  o.flag("truncated_capture", x.truncated_capture);
  o.close();
}

}  // namespace jobtrail::event::write
