// HTTPS server: Boost.Beast, one session per connection on its own strand, a timeout on every operation.
#pragma once
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>

#include "config.hpp"
#include "metrics.hpp"

namespace jobtrail::webhook {

struct ServerLimits {
  std::size_t body_limit = 3u << 20;                 // 413 beyond
  std::chrono::milliseconds request_timeout{10'000};  // whole request; 408 after
  std::chrono::milliseconds handshake_timeout{10'000};
  std::chrono::milliseconds idle_timeout{30'000};     // keep-alive between requests
  // Open connections (TLS included) beyond this are closed at accept. Each costs ~40 KiB of TLS
  // buffers and at most a header (8 KiB) until it holds a request slot.
  std::size_t max_connections = 128;
  // Requests whose body is being read or handled; more wait with their body unread (503 if none
  // frees within slot_wait). Each may hold a body of up to body_limit, so this times
  // body_limit bounds the memory bodies take.
  std::size_t max_requests_in_flight = 8;
  // How long a request waits for a slot before its 503 (never beyond request_timeout, which
  // ends the request anyway).
  std::chrono::milliseconds slot_wait{10'000};
};

// What sessions read at the start of each connection/request; swapped by the reloader.
class LiveState {
 public:
  std::shared_ptr<boost::asio::ssl::context> tls() const { std::lock_guard l(m_); return tls_; }
  std::shared_ptr<const Config> config() const { std::lock_guard l(m_); return config_; }
  void set_tls(std::shared_ptr<boost::asio::ssl::context> c) { std::lock_guard l(m_); tls_ = std::move(c); }
  void set_config(std::shared_ptr<const Config> c) { std::lock_guard l(m_); config_ = std::move(c); }
  Metrics metrics;

 private:
  mutable std::mutex m_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  std::shared_ptr<const Config> config_;
};

// Throws std::runtime_error with a one-line reason when the files do not load.
std::shared_ptr<boost::asio::ssl::context> load_tls_context(const std::string& cert_file, const std::string& key_file);

class SessionRegistry;

// A running listener. shutdown() stops accepting, lets requests in flight finish (their responses
// carry "Connection: close") and closes idle keep-alive connections; once the last session is gone
// the io_context runs out of work. Callers bound the wait themselves (main's --shutdown-timeout).
class Server {
 public:
  Server(std::function<void()> stop_accepting, std::shared_ptr<SessionRegistry> sessions, unsigned short port)
      : stop_accepting_(std::move(stop_accepting)), sessions_(std::move(sessions)), port_(port) {}
  unsigned short port() const { return port_; }
  void shutdown();
  std::size_t open_sessions() const;

 private:
  std::function<void()> stop_accepting_;
  std::shared_ptr<SessionRegistry> sessions_;
  unsigned short port_;
};

// Starts accepting on endpoint (port 0: any free port, see Server::port()).
Server start_listener(boost::asio::io_context&, const boost::asio::ip::tcp::endpoint&, std::shared_ptr<LiveState>,
                      ServerLimits);

}  // namespace jobtrail::webhook
