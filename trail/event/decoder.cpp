#include "trail/event/decoder.hpp"

#include "trail/archive/reader.hpp"
#include "trail/event/readers.hpp"

namespace jobtrail::event {

struct Decoder::Impl {
  simdjson::dom::parser parser;
  explicit Impl(std::size_t max_line) : parser(max_line) {}
};

Decoder::Decoder(std::size_t max_line) : impl_(std::make_unique<Impl>(max_line)), max_line_(max_line) {
  // Sets the depth bound; capacity grows with the lines, up to max_line. Without that memory
  // every line is refused (counted), as the parser could not bound the depth.
  ready_ = impl_->parser.allocate(4096, archive::max_event_depth) == simdjson::SUCCESS;
}
Decoder::~Decoder() = default;

bool Decoder::refuse(std::string why) {
  if (errors_++ == 0) first_error_ = "line " + std::to_string(lines_) + ": " + why;
  return false;
}

namespace {

// The part of the event its type adds, read from the root object.
bool read_body(json_in::Object root, events::Type type, Body& body, json_in::Failure& f) {
  using events::Type;
  switch (type) {
    case Type::process_exec: return read::exec(root, body.emplace<Exec>(), f);
    case Type::process_exit: return read::exit(root, body.emplace<Exit>(), f);
    case Type::file_open:
    case Type::file_io:
    case Type::file_change:
    case Type::file_close:
    case Type::file_exit: return read::file(root, body.emplace<File>(), f);
    case Type::net_connect:
    case Type::net_accept:
    case Type::net_close:
    case Type::net_udp: return read::net(root, body.emplace<Net>(), f);
    case Type::dns_query:
    case Type::dns_answer: return read::dns(root, body.emplace<Dns>(), f);
    case Type::priv_syscall: return read::priv(root, body.emplace<Priv>(), f);
    case Type::capability: return read::capability(root, body.emplace<Capability>(), f);
    case Type::lost: return read::lost(root, body.emplace<Lost>(), f);
    case Type::family_missing: return read::family_missing(root, body.emplace<FamilyMissing>(), f);
    case Type::job_identity: return read::identity(root, body.emplace<Identity>(), f);
    case Type::finding: return read::finding(root, body.emplace<Finding>(), f);
  }
  return true;
}

}  // namespace

bool Decoder::decode(std::string_view line, Event& out) {
  ++lines_;
  if (!ready_) return refuse("no memory for the parser");
  if (line.size() > max_line_) return refuse("longer than " + std::to_string(max_line_) + " bytes");
  simdjson::dom::element root_value;
  if (auto error = impl_->parser.parse(line.data(), line.size()).get(root_value))
    return refuse(std::string("not JSON: ") + simdjson::error_message(error));
  json_in::Object root;
  if (!json_in::read_object(root_value, root)) return refuse("not a JSON object");

  out = Event{};
  json_in::Failure f;
  for (auto [key, value] : root) {
    bool ok = true;
    if (key == "type") {
      std::string_view name;
      // A key given twice: the last value, as for every other key.
      out.type.reset();
      out.type_name.clear();
      if (value.get_string().get(name)) ok = false;
      else if (auto t = events::type_named(name)) out.type = *t;
      else out.type_name.assign(name);
    } else if (key == "time") {
      ok = json_in::is_null(value) || json_in::read(value, out.time);
    } else if (key == "seq") {
      ok = json_in::read(value, out.seq);
    } else if (key == "invalid_utf8") {
      ok = json_in::read(value, out.invalid_utf8);
    } else if (key == "process") {
      if (json_in::is_null(value)) continue;
      out.has_process = true;
      if (!read::process(value, out.process, f)) return refuse(f.where + ": wrong type or range");
    }
    if (!ok) return refuse(std::string(key.substr(0, 64)) + ": wrong type or range");
  }
  if (out.type && !read_body(root, *out.type, out.body, f)) return refuse(f.where + ": wrong type or range");
  return true;
}

}  // namespace jobtrail::event
