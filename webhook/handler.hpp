// HTTP request -> HTTP response, without sockets: the server only moves bytes.
#pragma once
#include <memory>
#include <string>
#include <string_view>

#include "config.hpp"
#include "metrics.hpp"

namespace jobtrail::webhook {

struct HttpRequest {
  std::string method;
  std::string target;
  std::string content_type;
  std::string_view body;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain";
  std::string body;
};

// config may be null (not loaded yet): /readyz says 503 and /mutate 503.
HttpResponse handle_request(const HttpRequest&, const std::shared_ptr<const Config>& config, Metrics& metrics);

}  // namespace jobtrail::webhook
