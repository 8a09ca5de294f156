#include "trail/s3/http_connection.hpp"

#include <openssl/x509v3.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <fstream>
#include <optional>
#include <vector>

namespace jobtrail::s3 {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

std::shared_ptr<asio::ssl::context> make_tls_context(const TlsOptions& o) {
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                   asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                   asio::ssl::context::no_tlsv1_1);
  error_code ec;
  if (!o.ca_bundle.empty()) {
    ctx->load_verify_file(o.ca_bundle, ec);
    if (ec) throw std::runtime_error("cannot load CA bundle " + o.ca_bundle + ": " + ec.message());
  } else {
    ctx->set_default_verify_paths(ec);
    if (ec) throw std::runtime_error("cannot load the system CA store: " + ec.message());
  }
  ctx->set_verify_mode(o.insecure_skip_verify ? asio::ssl::verify_none : asio::ssl::verify_peer);
  return ctx;
}

std::string HttpResponse::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

struct HttpConnection::Impl {
  Endpoint endpoint;
  std::shared_ptr<asio::ssl::context> tls;
  Timeouts timeouts;
  asio::io_context ioc;
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;
  bool open = false;
  bool keep_alive = false;

  void expire(std::chrono::milliseconds step) {
    const Deadline deadline = timeouts.deadline ? timeouts.deadline->load() : no_deadline;
    lowest().expires_after(step_timeout(step, std::chrono::steady_clock::now(), deadline));
  }

  beast::tcp_stream& lowest() { return secure ? beast::get_lowest_layer(*secure) : *plain; }

  // Runs one async operation to completion on our own io_context; the stream's timer bounds it.
  template <class Start>
  error_code run(Start&& start) {
    error_code result = asio::error::would_block;
    start([&result](error_code ec, auto&&...) { result = ec; });
    ioc.restart();
    ioc.run();
    return result;
  }

  [[noreturn]] void fail(const char* what, error_code ec) {
    close();
    throw TransportError(std::string(what) + " " + endpoint.host + ":" + endpoint.port + ": " +
                         (ec == beast::error::timeout ? std::string("timed out") : ec.message()));
  }

  void close() {
    open = false;
    keep_alive = false;
    error_code ignored;
    if (plain || secure) lowest().socket().close(ignored);
    secure.reset();
    plain.reset();
    buffer.clear();
  }

  void connect() {
    tcp::resolver resolver(ioc);
    tcp::resolver::results_type endpoints;
    error_code ec = run([&](auto h) {
      resolver.async_resolve(endpoint.host, endpoint.port,
                             [h, &endpoints](error_code e, tcp::resolver::results_type r) mutable {
                               endpoints = std::move(r);
                               h(e);
                             });
    });
    if (ec) fail("resolve", ec);
    if (tls) {
      secure.emplace(ioc, *tls);
    } else {
      plain.emplace(ioc);
    }
    expire(timeouts.connect);
    ec = run([&](auto h) { lowest().async_connect(endpoints, [h](error_code e, const tcp::endpoint&) mutable { h(e); }); });
    if (ec) fail("connect", ec);
    if (secure) {
      if (!SSL_set_tlsext_host_name(secure->native_handle(), endpoint.host.c_str()))
        fail("TLS SNI", error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category()));
      // OpenSSL's own host/IP check, so a mismatch shows as X509_V_ERR_HOSTNAME_MISMATCH / IP_ADDRESS_MISMATCH.
      error_code not_ip;
      asio::ip::make_address(endpoint.host, not_ip);
      int ok = not_ip ? SSL_set1_host(secure->native_handle(), endpoint.host.c_str())
                      : X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(secure->native_handle()), endpoint.host.c_str());
      if (!ok) fail("TLS host check setup for", error_code(asio::error::invalid_argument));
      expire(timeouts.connect);
      ec = run([&](auto h) { secure->async_handshake(asio::ssl::stream_base::client, h); });
      if (ec) {
        long verify = SSL_get_verify_result(secure->native_handle());
        if (verify != X509_V_OK) {
          close();
          throw TlsVerifyError("TLS certificate of " + endpoint.host + ":" + endpoint.port + " refused: " +
                               X509_verify_cert_error_string(verify) +
                               " (trust its CA with --ca-bundle FILE)");
        }
        fail("TLS handshake with", ec);
      }
    }
    // Beast reads at most the buffer's free capacity per read_some: reserve room for big reads,
    // else a body arrives in ~1 KiB pieces (4x slower on loopback).
    buffer.reserve(256 << 10);
    open = true;
  }

  template <class Stream>
  HttpResponse exchange(Stream& stream, const HttpRequest& r, const std::filesystem::path* to_file,
                        std::uint64_t memory_limit) {
    http::request<http::buffer_body> req;
    req.method_string(r.method);
    req.target(r.target);
    req.version(11);
    for (const auto& [k, v] : r.headers) req.insert(k, v);
    req.content_length(r.body.size());
    req.keep_alive(true);

    std::ifstream file;
    if (!r.body.file.empty()) {
      file.open(r.body.file, std::ios::binary);
      if (!file) throw std::runtime_error("cannot open " + r.body.file.string() + " for upload");
      file.seekg(static_cast<std::streamoff>(r.body.offset));
    }
    http::request_serializer<http::buffer_body> sr{req};
    expire(timeouts.io);
    error_code ec = run([&](auto h) { http::async_write_header(stream, sr, h); });
    if (ec) fail("send to", ec);
    std::vector<char> chunk;
    std::uint64_t left = r.body.size();
    std::size_t mem_pos = 0;
    while (!sr.is_done()) {
      if (r.body.file.empty()) {
        req.body().data = const_cast<char*>(r.body.memory.data()) + mem_pos;
        req.body().size = r.body.memory.size() - mem_pos;
        mem_pos = r.body.memory.size();
        left = 0;
      } else {
        chunk.resize(static_cast<std::size_t>(std::min<std::uint64_t>(left, 256 << 10)));
        file.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
        if (static_cast<std::size_t>(file.gcount()) != chunk.size())
          throw std::runtime_error("short read from " + r.body.file.string() + " during upload");
        req.body().data = chunk.data();
        req.body().size = chunk.size();
        left -= chunk.size();
      }
      req.body().more = left > 0;
      expire(timeouts.io);
      ec = run([&](auto h) { http::async_write(stream, sr, h); });
      if (ec == http::error::need_buffer) ec = {};
      if (ec) fail("send to", ec);
    }

    http::response_parser<http::empty_body> head;
    head.body_limit(memory_limit);
    if (r.method == "HEAD") head.skip(true);
    expire(timeouts.io);
    ec = run([&](auto h) { http::async_read_header(stream, buffer, head, h); });
    if (ec) fail("read reply from", ec);
    HttpResponse out;
    out.status = head.get().result_int();
    for (const auto& f : head.get()) {
      std::string name(f.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out.headers[name] = std::string(f.value());
    }
    const bool success = out.status >= 200 && out.status < 300;
    if (to_file && success) {
      http::response_parser<http::file_body> body{std::move(head)};
      body.body_limit(boost::none);
      body.get().body().open(to_file->c_str(), beast::file_mode::write, ec);
      if (ec) throw std::runtime_error("cannot write " + to_file->string() + ": " + ec.message());
      while (!body.is_done()) {
        expire(timeouts.io);
        ec = run([&](auto h) { http::async_read_some(stream, buffer, body, h); });
        if (ec) fail("read reply from", ec);
      }
      keep_alive = body.get().keep_alive();
    } else {
      http::response_parser<http::string_body> body{std::move(head)};
      body.body_limit(memory_limit);
      while (!body.is_done()) {
        expire(timeouts.io);
        ec = run([&](auto h) { http::async_read_some(stream, buffer, body, h); });
        if (ec == http::error::body_limit) {  // not a network fault: retrying would not help
          close();
          throw storage::StoreError("TooLarge", "reply body larger than " + std::to_string(memory_limit) +
                                                    " bytes: download it to a file instead");
        }
        if (ec) fail("read reply from", ec);
      }
      keep_alive = body.get().keep_alive();
      out.body = std::move(body.get().body());
    }
    if (!keep_alive) close();
    return out;
  }
};

HttpConnection::HttpConnection(Endpoint endpoint, std::shared_ptr<asio::ssl::context> tls, Timeouts timeouts)
    : impl_(std::make_unique<Impl>()) {
  impl_->endpoint = std::move(endpoint);
  impl_->tls = impl_->endpoint.tls ? std::move(tls) : nullptr;
  if (impl_->endpoint.tls && !impl_->tls) throw std::invalid_argument("https endpoint without a TLS context");
  impl_->timeouts = timeouts;
}

HttpConnection::~HttpConnection() { impl_->close(); }

HttpResponse HttpConnection::send(const HttpRequest& request, const std::filesystem::path* to_file,
                                  std::uint64_t memory_limit) {
  if (!impl_->open) impl_->connect();
  try {
    if (impl_->secure) return impl_->exchange(*impl_->secure, request, to_file, memory_limit);
    return impl_->exchange(*impl_->plain, request, to_file, memory_limit);
  } catch (const TransportError&) {
    throw;
  } catch (...) {
    impl_->close();  // a local error mid-exchange leaves the stream in an unknown state
    throw;
  }
}

bool HttpConnection::reusable() const { return impl_->open && impl_->keep_alive; }
const Endpoint& HttpConnection::endpoint() const { return impl_->endpoint; }

}  // namespace jobtrail::s3
