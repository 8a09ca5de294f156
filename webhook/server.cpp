#include "server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <atomic>
#include <map>
#include <vector>

#include "handler.hpp"

namespace jobtrail::webhook {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

// Errors that are the normal end of a connection, not worth a log line.
void fail(beast::error_code ec, const char* what) {
  if (ec == asio::error::operation_aborted || ec == ssl::error::stream_truncated || ec == http::error::end_of_stream ||
      ec == asio::error::eof || ec == beast::error::timeout || ec == asio::error::connection_reset)
    return;
  spdlog::debug("webhook: {}: {}", what, ec.message());
}

// How long a connection accepted or handshaking during shutdown may take to send its request.
constexpr std::chrono::milliseconds kDrainFirstByte{500};

class Session;

}  // namespace

// Live sessions, so shutdown can reach them (rippled's io_list idea, reduced to what we need).
class SessionRegistry {
 public:
  void add(const std::shared_ptr<Session>& s);
  void remove(Session* s) {
    std::lock_guard l(m_);
    live_.erase(s);
  }
  void drain_all();
  std::size_t size() const {
    std::lock_guard l(m_);
    return live_.size();
  }
  // A request slot (ServerLimits::max_requests_in_flight), held from its headers to its answer.
  bool try_take_slot(std::size_t max) {
    std::size_t now = in_flight_.load();
    do {
      if (now >= max) return false;
    } while (!in_flight_.compare_exchange_weak(now, now + 1));
    return true;
  }
  void give_back_slot() { --in_flight_; }

 private:
  mutable std::mutex m_;
  bool draining_ = false;
  std::map<Session*, std::weak_ptr<Session>> live_;
  std::atomic<std::size_t> in_flight_{0};
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<LiveState> state, ServerLimits limits,
          std::shared_ptr<SessionRegistry> registry)
      : tls_(state->tls()),
        stream_(beast::tcp_stream(std::move(socket)), *tls_),
        deadline_(stream_.get_executor()),
        slot_wait_(stream_.get_executor()),
        state_(std::move(state)),
        limits_(limits),
        registry_(std::move(registry)) {
    state_->metrics.add_open_connections(1);
  }
  ~Session() {
    release_slot();
    state_->metrics.add_open_connections(-1);
    registry_->remove(this);
  }

  void run() {
    registry_->add(shared_from_this());
    asio::dispatch(stream_.get_executor(), beast::bind_front_handler(&Session::on_run, shared_from_this()));
  }

  // Shutdown: a request in flight is finished (and answered with Connection: close); a connection
  // waiting for its next request is closed now.
  void drain() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      self->draining_ = true;
      if (self->waiting_ && self->buffer_.size() == 0 && !(self->parser_ && self->parser_->got_some())) {
        beast::error_code ignored;
        beast::get_lowest_layer(self->stream_).socket().cancel(ignored);
      }
    });
  }

 private:
  void on_run() {
    beast::get_lowest_layer(stream_).expires_after(limits_.handshake_timeout);
    stream_.async_handshake(ssl::stream_base::server,
                            beast::bind_front_handler(&Session::on_handshake, shared_from_this()));
  }

  void on_handshake(beast::error_code ec) {
    if (ec) return fail(ec, "handshake");
    do_read();
  }

  void do_read() {
    parser_.emplace();
    parser_->body_limit(limits_.body_limit);
    timed_out_ = false;
    waiting_ = true;
    // Waiting for the first byte of a keep-alive request may take idle_timeout; the request as a
    // whole (headers + body) must arrive within request_timeout, else 408. While shutting down,
    // only a request that is already on its way is still read.
    beast::get_lowest_layer(stream_).expires_after(draining_ ? kDrainFirstByte
                                                             : limits_.idle_timeout + limits_.request_timeout);
    deadline_.expires_after(limits_.request_timeout);
    deadline_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->timed_out_ = true;
      beast::error_code ignored;
      beast::get_lowest_layer(self->stream_).socket().cancel(ignored);
    });
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::on_header, shared_from_this()));
  }

  // The body is read only with a request slot: bodies in memory are at most
  // max_requests_in_flight x body_limit, however many clients send at once. Without a free slot the
  // request waits (its body unread) until one frees or slot_wait (at most its request_timeout)
  // ends, then 503: a burst of reviews from the API server is delayed, not refused.
  void on_header(beast::error_code ec, std::size_t n) {
    if (ec) return on_read(ec, n);
    // Without a body (probes, /metrics) a request needs no slot: slow bodies must not fail the
    // kubelet's liveness probe and get the webhook restarted.
    if (!parser_->chunked() && parser_->content_length().value_or(0) == 0) return read_body();
    waited_for_slot_ = false;
    slot_wait_until_ = std::chrono::steady_clock::now() + limits_.slot_wait;
    wait_for_slot();
  }

  void wait_for_slot() {
    if (registry_->try_take_slot(limits_.max_requests_in_flight)) {
      holds_slot_ = true;
      state_->metrics.add_requests_in_flight(1);
      return read_body();
    }
    if (!waited_for_slot_) state_->metrics.count_limit("in_flight");
    waited_for_slot_ = true;
    if (timed_out_ || draining_ || std::chrono::steady_clock::now() >= slot_wait_until_) {
      deadline_.cancel();
      waiting_ = false;
      return send_error(http::status::service_unavailable, "no request slot free within the time limit; retry",
                        false);
    }
    slot_wait_.expires_after(std::chrono::milliseconds(2));
    slot_wait_.async_wait([self = shared_from_this()](beast::error_code) { self->wait_for_slot(); });
  }

  void read_body() {
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

  void release_slot() {
    if (!holds_slot_) return;
    holds_slot_ = false;
    registry_->give_back_slot();
    state_->metrics.add_requests_in_flight(-1);
  }

  void on_read(beast::error_code ec, std::size_t) {
    deadline_.cancel();
    waiting_ = false;
    if (timed_out_ && (ec == asio::error::operation_aborted || !ec)) {
      // A request that started but did not finish in time (slowloris): say so and close.
      if (buffer_.size() == 0 && !parser_->got_some()) return do_close();
      return send_error(http::status::request_timeout, "request not received within the time limit", false);
    }
    if (ec == http::error::body_limit) state_->metrics.count_limit("body_size");
    if (ec == http::error::body_limit) return send_error(http::status::payload_too_large, "body exceeds 3 MiB", false);
    if (ec == http::error::end_of_stream) return do_close();
    if (draining_ && (ec == asio::error::operation_aborted || ec == beast::error::timeout)) return do_close();
    if (ec) {
      if (parser_->got_some() && ec.category() == beast::error_code(http::error::body_limit).category()) {
        return send_error(http::status::bad_request, "malformed HTTP request: " + ec.message(), false);
      }
      return fail(ec, "read");
    }
    const auto& req = parser_->get();
    HttpRequest in{std::string(req.method_string()), std::string(req.target()),
                   std::string(req[http::field::content_type]), req.body()};
    HttpResponse out = handle_request(in, state_->config(), state_->metrics);
    send(static_cast<http::status>(out.status), std::move(out.content_type), std::move(out.body),
         req.keep_alive() && !draining_);
  }

  void send_error(http::status status, std::string reason, bool keep_alive) {
    state_->metrics.count_request("http_" + std::to_string(static_cast<int>(status)), 0);
    send(status, "text/plain", std::move(reason) + "\n", keep_alive);
  }

  void send(http::status status, std::string content_type, std::string body, bool keep_alive) {
    auto res = std::make_shared<http::response<http::string_body>>(status, 11);
    res->set(http::field::server, "jobtrail-webhook");
    res->set(http::field::content_type, content_type);
    res->keep_alive(keep_alive);
    res->body() = std::move(body);
    res->prepare_payload();
    beast::get_lowest_layer(stream_).expires_after(limits_.request_timeout);
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res, keep_alive](beast::error_code ec, std::size_t) {
                        self->release_slot();
                        if (ec) return fail(ec, "write");
                        if (!keep_alive || self->draining_) return self->do_close();
                        self->do_read();
                      });
  }

  void do_close() {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(2));
    stream_.async_shutdown([self = shared_from_this()](beast::error_code) {
      beast::error_code ignored;
      beast::get_lowest_layer(self->stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
    });
  }

  std::shared_ptr<ssl::context> tls_;  // keeps the certificate this connection started with alive
  ssl::stream<beast::tcp_stream> stream_;
  asio::steady_timer deadline_;
  asio::steady_timer slot_wait_;  // polls for a free request slot
  std::shared_ptr<LiveState> state_;
  ServerLimits limits_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<SessionRegistry> registry_;
  bool timed_out_ = false;
  bool waiting_ = false;   // a read for the next request is pending
  bool draining_ = false;  // the server is shutting down
  bool holds_slot_ = false;  // a request slot is taken (on this session's strand)
  bool waited_for_slot_ = false;
  std::chrono::steady_clock::time_point slot_wait_until_{};  // 503 once passed without a slot
};

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(asio::io_context& ioc, const tcp::endpoint& endpoint, std::shared_ptr<LiveState> state, ServerLimits limits,
           std::shared_ptr<SessionRegistry> registry)
      : ioc_(ioc), acceptor_(asio::make_strand(ioc)), backoff_(acceptor_.get_executor()),
        state_(std::move(state)), limits_(limits), registry_(std::move(registry)) {
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(asio::socket_base::max_listen_connections);
  }
  unsigned short port() const { return acceptor_.local_endpoint().port(); }
  void stop() {
    asio::dispatch(acceptor_.get_executor(), [self = shared_from_this()] {
      self->stopped_ = true;
      beast::error_code ignored;
      self->acceptor_.close(ignored);
      self->backoff_.cancel();
    });
  }
  void do_accept() {
    if (stopped_) return;
    acceptor_.async_accept(asio::make_strand(ioc_), beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
  }

 private:
  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || stopped_) return;
    if (ec) {
      // Out of file descriptors and the like: wait instead of spinning on accept.
      spdlog::warn("webhook: accept: {}; retrying in 100 ms", ec.message());
      backoff_.expires_after(std::chrono::milliseconds(100));
      backoff_.async_wait([self = shared_from_this()](beast::error_code e) {
        if (!e) self->do_accept();
      });
      return;
    }
    if (registry_->size() >= limits_.max_connections) {
      // Closed before the TLS handshake: a flood of connections costs one accept each.
      state_->metrics.count_limit("connections");
      beast::error_code ignored;
      socket.close(ignored);
    } else {
      std::make_shared<Session>(std::move(socket), state_, limits_, registry_)->run();
    }
    do_accept();
  }

  asio::io_context& ioc_;
  tcp::acceptor acceptor_;
  asio::steady_timer backoff_;
  std::shared_ptr<LiveState> state_;
  ServerLimits limits_;
  std::shared_ptr<SessionRegistry> registry_;
  bool stopped_ = false;  // on the acceptor's strand
};

}  // namespace

void SessionRegistry::add(const std::shared_ptr<Session>& s) {
  bool drain_now = false;
  {
    std::lock_guard l(m_);
    live_.emplace(s.get(), s);
    drain_now = draining_;
  }
  if (drain_now) s->drain();  // accepted just as shutdown began
}

void SessionRegistry::drain_all() {
  std::vector<std::shared_ptr<Session>> sessions;
  {
    std::lock_guard l(m_);
    draining_ = true;
    for (auto& [_, weak] : live_)
      if (auto s = weak.lock()) sessions.push_back(std::move(s));
  }
  for (auto& s : sessions) s->drain();  // outside the lock: a Session's destructor takes it
}

void Server::shutdown() {
  stop_accepting_();
  sessions_->drain_all();
}

std::size_t Server::open_sessions() const { return sessions_->size(); }

std::shared_ptr<ssl::context> load_tls_context(const std::string& cert_file, const std::string& key_file) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                   ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  beast::error_code ec;
  ctx->use_certificate_chain_file(cert_file, ec);
  if (ec) throw std::runtime_error("cannot load certificate " + cert_file + ": " + ec.message());
  ctx->use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec) throw std::runtime_error("cannot load key " + key_file + ": " + ec.message());
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1)
    throw std::runtime_error("key " + key_file + " does not match certificate " + cert_file);
  return ctx;
}

Server start_listener(asio::io_context& ioc, const tcp::endpoint& endpoint, std::shared_ptr<LiveState> state,
                      ServerLimits limits) {
  auto registry = std::make_shared<SessionRegistry>();
  auto listener = std::make_shared<Listener>(ioc, endpoint, std::move(state), limits, registry);
  listener->do_accept();
  return Server([listener] { listener->stop(); }, registry, listener->port());
}

}  // namespace jobtrail::webhook
