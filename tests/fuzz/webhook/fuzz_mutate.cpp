// libFuzzer target for the request path: bytes -> handle_request(POST /mutate) -> must not crash or hang.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "handler.hpp"

using namespace jobtrail::webhook;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto config = std::make_shared<const Config>(
      parse_config_text(R"({"sidecar":{"image":"r/jobtrail:1"},"storage":{"url":"s3://b/p"}})"));
  static Metrics metrics;
  HttpRequest req{"POST", "/mutate", "application/json",
                  std::string_view(reinterpret_cast<const char*>(data), size)};
  const HttpResponse res = handle_request(req, config, metrics);
  if (res.status != 200 && res.status != 400) __builtin_trap();  // only these two for a JSON POST
  return 0;
}
