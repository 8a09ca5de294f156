// libFuzzer target over one archive line (the input, '\n' and all) through the typed event
// reader and writer. Any input must be an Event or a counted refusal, never a crash, a leak or a
// read out of bounds (ASan/UBSan); reading is a function of the line: the same line twice, the
// same Event; and the writer's line of an accepted Event reads back as that Event, is written
// back as it is, and is the line nlohmann writes of it (trail/event/writer.hpp).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "trail/event/decoder.hpp"
#include "trail/event/writer.hpp"

using jobtrail::event::Event;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  static jobtrail::event::Decoder decoder(1 << 16);  // reused, as a summary reuses it for every line
  // The written line of an accepted line can be longer (escapes, siblings): its own bound.
  static jobtrail::event::Decoder rereader(1 << 20);
  Event first, again;
  const std::uint64_t errors = decoder.errors();
  const bool ok = decoder.decode(line, first);
  if (decoder.errors() != errors + (ok ? 0 : 1)) std::abort();  // every refusal counted, no other
  if (!ok) return 0;
  if (!decoder.decode(line, again) || !(again == first)) std::abort();
  (void)first.name();

  std::string written;
  jobtrail::event::write_line(first, written);
  Event back;
  if (!rereader.decode(written, back)) std::abort();  // the writer made a line that is no event
  std::string rewritten;
  jobtrail::event::write_line(back, rewritten);
  if (rewritten != written) std::abort();  // a written line is written back as it is
  // The line nlohmann writes of the same object, as the archive writer does: keys in byte order,
  // its escaping. Not for priv and capability: their object is written as the line had it.
  if (!first.get<jobtrail::event::Priv>() && !first.get<jobtrail::event::Capability>()) {
    const auto j = nlohmann::json::parse(written, nullptr, false);
    if (j.is_discarded() || j.dump() != written) std::abort();
  }
  // A sibling can give a string that is not UTF-8 to a line that did not say so: then it says so.
  if (first.invalid_utf8 && !back.invalid_utf8) std::abort();
  back.invalid_utf8 = first.invalid_utf8;
  if (!(back == first)) std::abort();
  return 0;
}
