#include "sidecar/http_endpoint.hpp"

#include <atomic>
#include <stdexcept>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

#include "sidecar/metrics.hpp"

namespace jobtrail::sidecar {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

tcp::endpoint parse_listen(const std::string& listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) throw std::runtime_error("--http-listen wants ADDR:PORT, got '" + listen + "'");
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(host.empty() ? "0.0.0.0" : host, ec);
  unsigned long port = 0;
  try {
    port = std::stoul(listen.substr(colon + 1));
  } catch (const std::exception&) {
    port = 65536;
  }
  if (ec || port > 65535) throw std::runtime_error("--http-listen: bad address '" + listen + "'");
  return {addr, static_cast<unsigned short>(port)};
}

http::response<http::string_body> answer(const http::request<http::string_body>& req) {
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.keep_alive(false);
  const auto target = req.target();
  if (req.method() != http::verb::get && req.method() != http::verb::head) {
    res.result(http::status::method_not_allowed);
    res.body() = "GET only\n";
  } else if (target == "/readyz") {
    const bool ready = g_metrics.ready.load();
    res.result(ready ? http::status::ok : http::status::service_unavailable);
    res.body() = ready ? "ready\n" : "not ready: BPF programs not attached yet\n";
  } else if (target == "/healthz") {
    res.body() = "ok\n";
  } else if (target == "/metrics") {
    res.set(http::field::content_type, "text/plain; version=0.0.4");
    res.body() = render_metrics(g_metrics);
  } else {
    res.result(http::status::not_found);
    res.body() = "try /readyz /healthz /metrics\n";
  }
  res.prepare_payload();
  return res;
}

}  // namespace

struct HttpEndpoint::Impl {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::thread thread;

  void serve() {
    for (;;) {
      tcp::socket sock{io};
      boost::system::error_code ec;
      acceptor.accept(sock, ec);
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
      if (ec) continue;
      // A probe that stalls must not wedge the endpoint: bound each exchange.
      struct timeval tv{2, 0};
      ::setsockopt(sock.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      ::setsockopt(sock.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
      boost::beast::flat_buffer buf;
      http::request_parser<http::string_body> parser;
      parser.body_limit(4096);
      http::read(sock, buf, parser, ec);
      if (ec) continue;
      http::write(sock, answer(parser.get()), ec);
      sock.shutdown(tcp::socket::shutdown_both, ec);
    }
  }
};

HttpEndpoint::HttpEndpoint(const std::string& listen) : impl_(std::make_unique<Impl>()) {
  auto ep = parse_listen(listen);
  boost::system::error_code ec;
  impl_->acceptor.open(ep.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(ep, ec);
  if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error("cannot listen on " + listen + ": " + ec.message());
  spdlog::info("http endpoint on {}:{} (/readyz /healthz /metrics)", ep.address().to_string(), port());
  impl_->thread = std::thread([this] { impl_->serve(); });
}

HttpEndpoint::~HttpEndpoint() {
  boost::system::error_code ec;
  // shutdown() wakes the blocking accept() on Linux; close() alone would not.
  ::shutdown(impl_->acceptor.native_handle(), SHUT_RDWR);
  impl_->acceptor.close(ec);
  if (impl_->thread.joinable()) impl_->thread.join();
}

unsigned short HttpEndpoint::port() const { return impl_->acceptor.local_endpoint().port(); }

}  // namespace jobtrail::sidecar
