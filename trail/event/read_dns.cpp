// The `dns` object (docs/schema.md, "DNS").
#include "trail/event/readers.hpp"

namespace jobtrail::event::read {

namespace {
using json_in::read;

bool record(Element v, DnsRecord& r, Failure& f) {
  Object o;
  if (!json_in::read_object(v, o)) return json_in::fail(f, "dns", "answers");
  json_in::ExactBytes exact;
  for (auto [key, value] : o) {
    if (exact.note(key, value)) continue;
    bool ok = true;
    if (key == "name") ok = read(value, r.name);
    else if (key == "type") ok = read(value, r.type);
    else if (key == "ttl") ok = read(value, r.ttl);
    else if (key == "data") ok = read(value, r.data);
    if (!ok) return json_in::fail(f, "dns.answers", key);
  }
  exact.apply("name", r.name);
  exact.apply("data", r.data);
  return true;
}
}  // namespace

bool dns(Object root, Dns& d, Failure& f) {
  Object o;
  bool present = false;
  if (!family_object(root, "dns", o, present, f)) return !present;
  json_in::ExactBytes exact;
  for (auto [key, value] : o) {
    if (exact.note(key, value)) continue;
    bool ok = true;
    if (key == "id") ok = read(value, d.id);
    else if (key == "name") ok = read(value, d.name);
    else if (key == "qtype") ok = read(value, d.qtype);
    else if (key == "server") ok = read(value, d.server);
    else if (key == "transport") ok = read(value, d.transport);
    else if (key == "error") ok = read(value, d.error);
    else if (key == "packet_bytes") ok = read(value, d.packet_bytes);
    else if (key == "captured_bytes") ok = read(value, d.captured_bytes);
    else if (key == "truncated_capture") ok = read(value, d.truncated_capture);
    else if (key == "malformed") ok = read(value, d.malformed);
    else if (key == "rcode") ok = read(value, d.rcode);
    else if (key == "truncated") ok = read(value, d.truncated);
    else if (key == "answers") {
      simdjson::dom::array a;
      if (value.get_array().get(a)) return json_in::fail(f, "dns", key);
      auto& list = d.answers.emplace();
      list.reserve(a.size());
      for (Element e : a)
        if (!record(e, list.emplace_back(), f)) return false;
    }
    if (!ok) return json_in::fail(f, "dns", key);
  }
  exact.apply("name", d.name);
  return true;
}

}  // namespace jobtrail::event::read
