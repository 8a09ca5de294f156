#include "trail/s3/endpoint.hpp"

#include <stdexcept>

namespace jobtrail::s3 {

BucketUrl parse_s3_url(std::string_view url) {
  if (!url.starts_with("s3://")) throw std::invalid_argument("not an s3:// URL: " + std::string(url));
  std::string_view rest = url.substr(5);
  std::size_t slash = rest.find('/');
  BucketUrl out;
  out.bucket = std::string(rest.substr(0, slash));
  if (out.bucket.empty()) throw std::invalid_argument("s3 URL without a bucket: " + std::string(url));
  if (slash != std::string_view::npos) {
    std::string_view prefix = rest.substr(slash + 1);
    while (!prefix.empty() && prefix.back() == '/') prefix.remove_suffix(1);
    if (!prefix.empty()) out.prefix = std::string(prefix) + "/";
  }
  return out;
}

std::string Endpoint::host_header() const {
  bool default_port = (tls && port == "443") || (!tls && port == "80");
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;  // IPv6 literal
  return default_port ? h : h + ":" + port;
}

Endpoint parse_endpoint(std::string_view endpoint, std::string_view region) {
  Endpoint e;
  if (endpoint.empty()) {
    e.host = "s3." + std::string(region) + ".amazonaws.com";
    e.port = "443";
    return e;
  }
  std::string_view rest = endpoint;
  if (rest.starts_with("https://")) {
    rest.remove_prefix(8);
  } else if (rest.starts_with("http://")) {
    e.tls = false;
    rest.remove_prefix(7);
  } else {
    throw std::invalid_argument("S3 endpoint must start with http:// or https://: " + std::string(endpoint));
  }
  if (auto slash = rest.find('/'); slash != std::string_view::npos) rest = rest.substr(0, slash);
  if (rest.starts_with("[")) {  // [::1]:7480
    auto close = rest.find(']');
    if (close == std::string_view::npos) throw std::invalid_argument("bad IPv6 endpoint: " + std::string(endpoint));
    e.host = std::string(rest.substr(1, close - 1));
    rest.remove_prefix(close + 1);
    e.port = rest.starts_with(":") ? std::string(rest.substr(1)) : "";
  } else if (auto colon = rest.rfind(':'); colon != std::string_view::npos) {
    e.host = std::string(rest.substr(0, colon));
    e.port = std::string(rest.substr(colon + 1));
  } else {
    e.host = std::string(rest);
  }
  if (e.host.empty()) throw std::invalid_argument("S3 endpoint without a host: " + std::string(endpoint));
  if (e.port.empty()) e.port = e.tls ? "443" : "80";
  return e;
}

Addressing address(const Endpoint& endpoint, std::string_view bucket, std::string_view key, bool path_style) {
  Addressing a;
  a.connect = endpoint;
  if (path_style) {
    a.host = endpoint.host_header();
    a.path = "/" + std::string(bucket);
    if (!key.empty()) a.path += "/" + std::string(key);
  } else {
    a.connect.host = std::string(bucket) + "." + endpoint.host;
    a.host = a.connect.host_header();
    a.path = "/" + std::string(key);
  }
  return a;
}

}  // namespace jobtrail::s3
