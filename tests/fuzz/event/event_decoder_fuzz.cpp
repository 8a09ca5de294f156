// libFuzzer target over one archive line (the input, '\n' and all) through the typed event
// reader. Any input must be an Event or a counted refusal, never a crash, a leak or a read out of
// bounds (ASan/UBSan), and reading is a function of the line: the same line twice, the same Event.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "trail/event/decoder.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  static jobtrail::event::Decoder decoder(1 << 16);  // reused, as a summary reuses it for every line
  jobtrail::event::Event first, again;
  const std::uint64_t errors = decoder.errors();
  const bool ok = decoder.decode(line, first);
  if (decoder.errors() != errors + (ok ? 0 : 1)) std::abort();  // every refusal counted, no other
  if (ok) {
    if (!decoder.decode(line, again) || !(again == first)) std::abort();
    (void)first.name();
  }
  return 0;
}
