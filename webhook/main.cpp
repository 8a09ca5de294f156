// jobtrail-webhook: mutating admission webhook injecting jobtrail-sidecar (docs/webhook.md).
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/signal_set.hpp>
#include <thread>
#include <vector>

#include "reloader.hpp"
#include "server.hpp"

using namespace jobtrail::webhook;

int main(int argc, char** argv) {
  CLI::App app{"jobtrail-webhook: injects jobtrail-sidecar into pods (HTTPS admission webhook)"};
  std::string listen = "0.0.0.0:8443", log_level = "info";
  WatchedFiles files;
  unsigned threads = 2;
  unsigned reload_ms = 2000;
  app.add_option("--listen", listen, "ADDR:PORT to serve HTTPS on");
  app.add_option("--tls-cert", files.cert, "PEM certificate chain (reloaded on change)")->required();
  app.add_option("--tls-key", files.key, "PEM private key (reloaded on change)")->required();
  app.add_option("--config", files.config, "JSON configuration file (reloaded on change)")->required();
  app.add_option("--log-level", log_level, "trace|debug|info|warn|error");
  app.add_option("--threads", threads, "I/O threads")->check(CLI::Range(1u, 64u));
  app.add_option("--reload-interval-ms", reload_ms, "how often the files are checked")->check(CLI::Range(50u, 600000u));
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::from_str(log_level));

  const auto colon = listen.rfind(':');
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(
      colon == std::string::npos ? "" : listen.substr(0, colon).substr(listen[0] == '[' ? 1 : 0,
                                                                       colon - (listen[0] == '[' ? 2 : 0)), ec);
  if (colon == std::string::npos || ec) {
    spdlog::critical("jobtrail-webhook: --listen {} is not ADDR:PORT", listen);
    return 2;
  }
  unsigned long port = 0;
  try {
    port = std::stoul(listen.substr(colon + 1));
  } catch (...) {
    port = 70000;
  }
  if (port > 65535) {
    spdlog::critical("jobtrail-webhook: --listen {}: bad port", listen);
    return 2;
  }

  boost::asio::io_context ioc;
  auto state = std::make_shared<LiveState>();
  auto reloader = std::make_shared<Reloader>(ioc, files, state, std::chrono::milliseconds(reload_ms));
  std::string reason;
  if (!reloader->load_all(reason)) {
    spdlog::critical("jobtrail-webhook: {}", reason);
    return 1;
  }
  unsigned short bound = 0;
  try {
    bound = start_listener(ioc, {address, static_cast<unsigned short>(port)}, state, ServerLimits{});
  } catch (const std::exception& e) {
    spdlog::critical("jobtrail-webhook: cannot listen on {}: {}", listen, e.what());
    return 1;
  }
  reloader->start();
  spdlog::info("jobtrail-webhook {} listening on https://{}:{}", JOBTRAIL_VERSION, address.to_string(), bound);

  boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code, int sig) {
    spdlog::info("jobtrail-webhook: signal {}, stopping", sig);
    reloader->stop();
    ioc.stop();
  });
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&] { ioc.run(); });
  ioc.run();
  for (auto& t : pool) t.join();
  return 0;
}
