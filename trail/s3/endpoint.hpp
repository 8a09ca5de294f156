#pragma once
// Where an S3 request goes: the s3:// URL split into bucket and prefix, the endpoint split into
// scheme/host/port, and path-style or virtual-hosted addressing. Pure functions.
#include <string>
#include <string_view>

namespace jobtrail::s3 {

struct BucketUrl {
  std::string bucket;
  std::string prefix;  // "" or ends with '/'
};
BucketUrl parse_s3_url(std::string_view url);  // "s3://b/p/q" -> {b, "p/q/"}; throws on bad input

struct Endpoint {
  bool tls = true;
  std::string host;  // host name or IP, no port
  std::string port;  // "443", "80", "7480"
  std::string host_header() const;  // "host" or "host:port" when the port is not the default
};
// "" -> AWS regional endpoint; "http://127.0.0.1:7480" -> {false, 127.0.0.1, 7480}.
Endpoint parse_endpoint(std::string_view endpoint, std::string_view region);

struct Addressing {
  Endpoint connect;     // where the socket goes
  std::string host;     // Host header (signed)
  std::string path;     // decoded path, e.g. "/bucket/pods/a b" (path-style) or "/pods/a b"
};
Addressing address(const Endpoint& endpoint, std::string_view bucket, std::string_view key, bool path_style);

}  // namespace jobtrail::s3
