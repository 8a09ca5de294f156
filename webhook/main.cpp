// jobtrail-webhook: mutating admission webhook injecting jobtrail-sidecar (docs/webhook.md).
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/signal_set.hpp>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

#include "reloader.hpp"
#include "server.hpp"

using namespace jobtrail::webhook;

namespace {

// --check-config FILE: the same parser the running webhook uses; exit 0 with a summary or 1 with the reason.
int check_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "jobtrail-webhook: %s: cannot read the file\n", path.c_str());
    return 1;
  }
  std::stringstream text;
  text << in.rdbuf();
  try {
    const Config c = parse_config_text(text.str());
    std::printf("jobtrail-webhook: %s is valid: image %s, mode %s, storage %s, flush deadline %d s\n",
                path.c_str(), c.sidecar.image.c_str(), c.sidecar.mode.c_str(), c.storage.url.c_str(),
                c.sidecar.flush_deadline_seconds);
    return 0;
  } catch (const ConfigError& e) {
    std::fprintf(stderr, "jobtrail-webhook: %s is invalid: %s\n", path.c_str(), e.what());
    return 1;
  }
}

bool parse_listen(const std::string& listen, boost::asio::ip::tcp::endpoint& out) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon + 1 == listen.size()) return false;
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(host, ec);
  const std::string port_text = listen.substr(colon + 1);
  if (ec || port_text.size() > 5 || port_text.find_first_not_of("0123456789") != std::string::npos) return false;
  const unsigned long port = std::stoul(port_text);
  if (port > 65535) return false;
  out = {address, static_cast<unsigned short>(port)};
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"jobtrail-webhook: injects jobtrail-sidecar into pods (HTTPS admission webhook)"};
  std::string listen = "0.0.0.0:8443", log_level = "info", check_file;
  WatchedFiles files;
  unsigned threads = 2;
  unsigned reload_ms = 2000;
  unsigned shutdown_s = 10;
  ServerLimits limits;
  unsigned max_connections = static_cast<unsigned>(limits.max_connections);
  unsigned max_in_flight = static_cast<unsigned>(limits.max_requests_in_flight);
  unsigned slot_wait_ms = static_cast<unsigned>(limits.slot_wait.count());
  const unsigned request_timeout_ms = static_cast<unsigned>(limits.request_timeout.count());
  app.set_version_flag("--version", std::string("jobtrail-webhook ") + JOBTRAIL_VERSION);
  app.add_option("--check-config", check_file, "validate a configuration FILE, print the result and exit (0 valid, 1 not)");
  app.add_option("--listen", listen, "ADDR:PORT to serve HTTPS on");
  app.add_option("--tls-cert", files.cert, "PEM certificate chain (reloaded on change); required to serve");
  app.add_option("--tls-key", files.key, "PEM private key (reloaded on change); required to serve");
  app.add_option("--config", files.config, "JSON configuration file (reloaded on change); required to serve");
  app.add_option("--log-level", log_level, "trace|debug|info|warn|error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  app.add_option("--threads", threads, "I/O threads")->check(CLI::Range(1u, 64u));
  app.add_option("--reload-interval-ms", reload_ms, "how often the files are checked")->check(CLI::Range(50u, 600000u));
  app.add_option("--shutdown-timeout", shutdown_s,
                 "seconds SIGTERM waits for requests in flight before closing what is left")
      ->check(CLI::Range(1u, 300u));
  // Each open connection costs ~40 KiB of TLS buffers; each request in flight may hold a whole
  // body (3 MiB): keep max-requests-in-flight x 3 MiB well under the container's memory limit.
  app.add_option("--max-connections", max_connections,
                 "open connections (TLS included); more are closed at accept, before TLS (1-4096)")
      ->check(CLI::Range(1u, 4096u));
  app.add_option("--max-requests-in-flight", max_in_flight,
                 "requests whose body is read or handled at once (each may hold up to 3 MiB); more wait for a slot "
                 "(1-64, at most --max-connections)")
      ->check(CLI::Range(1u, 64u));
  app.add_option("--slot-wait-ms", slot_wait_ms,
                 "how long a request waits for a free slot before it gets 503 (1-" + std::to_string(request_timeout_ms) +
                     ", the request timeout)")
      ->check(CLI::Range(1u, request_timeout_ms));
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help, --version
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string what = e.what();
    for (char& c : what)
      if (c == '\n') c = ' ';
    std::fprintf(stderr, "jobtrail-webhook: %s (see --help)\n", what.c_str());
    return 2;
  }
  if (max_in_flight > max_connections) {
    std::fprintf(stderr, "jobtrail-webhook: --max-requests-in-flight %u is more than --max-connections %u (see --help)\n",
                 max_in_flight, max_connections);
    return 2;
  }
  limits.max_connections = max_connections;
  limits.max_requests_in_flight = max_in_flight;
  limits.slot_wait = std::chrono::milliseconds(slot_wait_ms);
  if (!check_file.empty()) return check_config(check_file);
  for (const auto& [flag, value] : {std::pair{"--tls-cert", files.cert}, {"--tls-key", files.key}, {"--config", files.config}}) {
    if (value.empty()) {
      std::fprintf(stderr, "jobtrail-webhook: %s is required (see --help)\n", flag);
      return 2;
    }
  }
  boost::asio::ip::tcp::endpoint endpoint;
  if (!parse_listen(listen, endpoint)) {
    std::fprintf(stderr, "jobtrail-webhook: --listen %s is not ADDR:PORT (e.g. 0.0.0.0:8443 or [::]:8443)\n",
                 listen.c_str());
    return 2;
  }
  spdlog::set_level(spdlog::level::from_str(log_level));

  boost::asio::io_context ioc;
  auto state = std::make_shared<LiveState>();
  auto reloader = std::make_shared<Reloader>(ioc, files, state, std::chrono::milliseconds(reload_ms));
  std::string reason;
  if (!reloader->load_all(reason)) {
    spdlog::critical("jobtrail-webhook: {}", reason);
    return 1;
  }
  std::optional<Server> server;
  try {
    server.emplace(start_listener(ioc, endpoint, state, limits));
  } catch (const std::exception& e) {
    spdlog::critical("jobtrail-webhook: cannot listen on {}: {}", listen, e.what());
    return 1;
  }
  reloader->start();
  spdlog::info("jobtrail-webhook {} listening on https://{}:{} (at most {} connections, {} requests in flight, "
               "{} ms wait for a slot)",
               JOBTRAIL_VERSION, endpoint.address().to_string(), server->port(), limits.max_connections,
               limits.max_requests_in_flight, limits.slot_wait.count());

  // SIGTERM (pod deletion, rollout): stop accepting, finish requests in flight, close idle connections;
  // run() returns once no session is left. A watchdog bounds the wait by --shutdown-timeout.
  std::mutex done_mutex;
  std::condition_variable done_cv;
  bool done = false;
  std::thread watchdog;
  boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int sig) {
    if (ec) return;
    spdlog::info("jobtrail-webhook: signal {}, draining {} connection(s)", sig, server->open_sessions());
    reloader->stop();
    server->shutdown();
    watchdog = std::thread([&] {
      std::unique_lock l(done_mutex);
      if (!done_cv.wait_for(l, std::chrono::seconds(shutdown_s), [&] { return done; })) {
        spdlog::warn("jobtrail-webhook: {} connection(s) still open after {} s; closing them",
                     server->open_sessions(), shutdown_s);
        ioc.stop();
      }
    });
  });
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&] { ioc.run(); });
  ioc.run();
  for (auto& t : pool) t.join();
  {
    std::lock_guard l(done_mutex);
    done = true;
  }
  done_cv.notify_all();
  if (watchdog.joinable()) watchdog.join();
  spdlog::info("jobtrail-webhook: stopped");
  return 0;
}
