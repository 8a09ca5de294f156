// The `net` object (docs/schema.md, "Network") and the connection ends it shares with an exec's stdio.
#include "trail/event/readers.hpp"

namespace jobtrail::event::read {

using json_in::read;

namespace {
// A flow key: read into `fl` (true when `key` is one).
bool flow_key(std::string_view key, Element value, Flow& fl, bool& ok) {
  if (key == "protocol") ok = read(value, fl.protocol);
  else if (key == "family") ok = read(value, fl.family);
  else if (key == "src_addr") ok = read(value, fl.src_addr);
  else if (key == "src_port") ok = read(value, fl.src_port);
  else if (key == "dst_addr") ok = read(value, fl.dst_addr);
  else if (key == "dst_port") ok = read(value, fl.dst_port);
  else return false;
  return true;
}
}  // namespace

bool flow(Object o, Flow& fl, Failure& f, std::string_view family) {
  for (auto [key, value] : o) {
    bool ok = true;
    flow_key(key, value, fl, ok);
    if (!ok) return json_in::fail(f, family, key);
  }
  return true;
}

bool net(Object root, Net& n, Failure& f) {
  Object o;
  bool present = false;
  if (!family_object(root, "net", o, present, f)) return !present;
  json_in::ExactBytes exact;
  for (auto [key, value] : o) {
    if (exact.note(key, value)) continue;
    bool ok = true;
    if (flow_key(key, value, n.flow, ok)) {
    } else if (key == "dst_name") ok = read(value, n.dst_name);
    else if (key == "result") ok = read(value, n.result);
    else if (key == "fd") ok = read(value, n.fd);
    else if (key == "bytes_sent") ok = read(value, n.bytes_sent);
    else if (key == "bytes_received") ok = read(value, n.bytes_received);
    else if (key == "duration_ns") ok = read(value, n.duration_ns);
    else if (key == "direction") ok = read(value, n.direction);
    else if (key == "datagrams") ok = read(value, n.datagrams);
    else if (key == "bytes") ok = read(value, n.bytes);
    if (!ok) return json_in::fail(f, "net", key);
  }
  exact.apply("dst_name", n.dst_name);
  return true;
}

}  // namespace jobtrail::event::read
