// libFuzzer target for the request path: bytes -> handle_request(POST /mutate) -> must not crash or hang.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

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
  if (res.status == 200) {
    // An answer is a well-formed AdmissionReview that echoes a uid; a patch always comes with its type.
    const auto out = nlohmann::json::parse(res.body, nullptr, false);
    if (out.is_discarded() || !out.is_object() || !out.contains("response")) __builtin_trap();
    const auto& response = out.at("response");
    if (!response.is_object() || !response.contains("uid") || !response.at("uid").is_string()) __builtin_trap();
    if (response.contains("patch") != response.contains("patchType")) __builtin_trap();
  } else if (res.body.empty() || res.body.find('\n') != res.body.size() - 1) {
    __builtin_trap();  // a 400 carries a one-line reason
  }
  return 0;
}
