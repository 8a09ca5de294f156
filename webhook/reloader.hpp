// Polls the certificate, key and config files; swaps in what loads, keeps the old on failure.
#pragma once
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <memory>
#include <string>

#include "server.hpp"

namespace jobtrail::webhook {

struct WatchedFiles {
  std::string cert, key, config;
};

class Reloader : public std::enable_shared_from_this<Reloader> {
 public:
  Reloader(boost::asio::io_context&, WatchedFiles, std::shared_ptr<LiveState>, std::chrono::milliseconds period);
  // Loads everything once; returns false with a reason when something does not load (start-up).
  bool load_all(std::string& reason);
  void start();
  void stop();

 private:
  void check();
  boost::asio::steady_timer timer_;  // on its own strand
  bool stopped_ = false;             // set on the strand by stop()
  WatchedFiles files_;
  std::shared_ptr<LiveState> state_;
  std::chrono::milliseconds period_;
  std::string cert_seen_, key_seen_, config_seen_;  // contents last tried (k8s swaps symlinks; mtimes mislead)
};

}  // namespace jobtrail::webhook
