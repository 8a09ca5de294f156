#include "reloader.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

#include <fstream>
#include <sstream>

namespace jobtrail::webhook {
namespace {
std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}
}  // namespace

Reloader::Reloader(boost::asio::io_context& ioc, WatchedFiles files, std::shared_ptr<LiveState> state,
                   std::chrono::milliseconds period)
    : timer_(boost::asio::make_strand(ioc)), files_(std::move(files)), state_(std::move(state)), period_(period) {}

bool Reloader::load_all(std::string& reason) {
  try {
    cert_seen_ = read_file(files_.cert);
    key_seen_ = read_file(files_.key);
    config_seen_ = read_file(files_.config);
    state_->set_tls(load_tls_context(files_.cert, files_.key));
    state_->set_config(std::make_shared<const Config>(parse_config_text(config_seen_)));
    return true;
  } catch (const std::exception& e) {
    reason = e.what();
    return false;
  }
}

void Reloader::start() {
  if (stopped_) return;
  timer_.expires_after(period_);
  timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec) return;
    self->check();
    self->start();
  });
}

// On the timer's strand, so a check running right now cannot re-arm the timer after the cancel.
void Reloader::stop() {
  boost::asio::post(timer_.get_executor(), [self = shared_from_this()] {
    self->stopped_ = true;
    self->timer_.cancel();
  });
}

void Reloader::check() {
  const std::string cert = read_file(files_.cert), key = read_file(files_.key);
  if (!cert.empty() && !key.empty() && (cert != cert_seen_ || key != key_seen_)) {
    // cert and key are written one after the other: retry next period while they do not match.
    try {
      state_->set_tls(load_tls_context(files_.cert, files_.key));
      cert_seen_ = cert;
      key_seen_ = key;
      state_->metrics.count_reload("certificate", true);
      spdlog::info("webhook: certificate reloaded from {}", files_.cert);
    } catch (const std::exception& e) {
      state_->metrics.count_reload("certificate", false);
      spdlog::warn("webhook: new certificate rejected, keeping the old one: {}", e.what());
      cert_seen_ = cert;  // do not log the same bad pair every period
      key_seen_ = key;
    }
  }
  const std::string config = read_file(files_.config);
  if (!config.empty() && config != config_seen_) {
    config_seen_ = config;
    try {
      state_->set_config(std::make_shared<const Config>(parse_config_text(config)));
      state_->metrics.count_reload("config", true);
      spdlog::info("webhook: configuration reloaded from {}", files_.config);
    } catch (const std::exception& e) {
      state_->metrics.count_reload("config", false);
      spdlog::error("webhook: new configuration rejected, keeping the old one: {}", e.what());
    }
  }
}

}  // namespace jobtrail::webhook
