#include "sidecar/otlp_exporter.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "sidecar/metrics.hpp"
#include "trail/events/json_time.hpp"
#include "trail/events/time_reorder.hpp"
#include "trail/events/types.hpp"
#include "trail/summary/fields.hpp"

namespace jobtrail::sidecar {

using nlohmann::json;
namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

std::optional<HttpUrl> parse_http_url(std::string_view url) {
  constexpr std::string_view scheme = "http://";
  if (url.substr(0, scheme.size()) != scheme) return std::nullopt;
  url.remove_prefix(scheme.size());
  const auto slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  HttpUrl u;
  u.target = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
  std::string_view port = "80";
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    u.host = std::string(authority.substr(1, close - 1));
    auto rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port = rest.substr(1);
    }
  } else {
    const auto colon = authority.find(':');
    u.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (u.host.empty() || port.empty() || port.size() > 5) return std::nullopt;
  unsigned p = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return std::nullopt;
    p = p * 10 + static_cast<unsigned>(c - '0');
  }
  if (p == 0 || p > 65535) return std::nullopt;
  for (char c : u.host + u.target)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return std::nullopt;  // no header injection
  u.port = std::string(port);
  return u;
}

namespace {

json attribute(const std::string& key, const std::string& value) {
  return {{"key", key}, {"value", {{"stringValue", value}}}};
}

// The job identity's GITHUB_* variables under OpenTelemetry's CI/CD and VCS names.
const std::pair<const char*, const char*> kJobAttributes[] = {
    {events::job_var::run_id, "cicd.pipeline.run.id"},        {events::job_var::workflow, "cicd.pipeline.name"},
    {events::job_var::job, "cicd.pipeline.task.name"},        {events::job_var::run_attempt, "cicd.pipeline.run.attempt"},
    {events::job_var::repository, "vcs.repository.name"},     {events::job_var::sha, "vcs.ref.head.revision"},
    {events::job_var::ref, "vcs.ref.head.name"},
};

}  // namespace

OtlpResource otlp_resource_from_env() {
  auto env = [](const char* name) {
    const char* v = std::getenv(name);
    return std::string(v ? v : "");
  };
  return {env("JOBTRAIL_POD_NAME"), env("JOBTRAIL_POD_NAMESPACE"), env("JOBTRAIL_POD_UID"), env("JOBTRAIL_NODE_NAME"),
          JOBTRAIL_VERSION};
}

json otlp_resource(const OtlpResource& r, const json& job) {
  json attrs = json::array({attribute("service.name", "jobtrail-sidecar"), attribute("service.version", r.version)});
  auto add = [&](const char* key, const std::string& v) {
    if (!v.empty()) attrs.push_back(attribute(key, v));
  };
  add("k8s.pod.name", r.pod_name);
  add("k8s.namespace.name", r.pod_namespace);
  add("k8s.pod.uid", r.pod_uid);
  add("k8s.node.name", r.node);
  for (const auto& [var, key] : kJobAttributes)
    if (job.is_object())
      if (auto it = job.find(var); it != job.end() && it->is_string()) add(key, it->get<std::string>());
  return {{"attributes", attrs}};
}

json otlp_log_record(const json& ev, const std::string& line, std::int64_t observed_ns) {
  const std::string type = summary::event_type(ev);
  int severity = 9;  // INFO
  const char* text = "INFO";
  if (type == events::type_name::lost) severity = 13, text = "WARN";
  if (type == events::type_name::finding) {
    const auto sev = summary::str_field(summary::object_field(ev, "finding"), "severity");
    const bool grave = sev == "high" || sev == "critical";
    severity = grave ? 17 : 13;
    text = grave ? "ERROR" : "WARN";
  }
  json rec = {{"observedTimeUnixNano", std::to_string(observed_ns)},
              {"severityNumber", severity},
              {"severityText", text},
              {"body", {{"stringValue", line}}},
              {"attributes", json::array({attribute("event.name", type)})}};
  if (auto t = events::event_time_ns(ev); t && *t >= 0) rec["timeUnixNano"] = std::to_string(*t);
  // OTLP's JSON encoding carries 64-bit integers as decimal strings.
  if (auto it = ev.find("seq"); it != ev.end() && it->is_number_integer() && (it->is_number_unsigned() || it->get<std::int64_t>() >= 0))
    rec["attributes"].push_back({{"key", "jobtrail.seq"}, {"value", {{"intValue", std::to_string(it->get<std::uint64_t>())}}}});
  return rec;
}

std::string otlp_request_body(const json& resource, const std::string& records, std::string_view version) {
  std::string body = R"({"resourceLogs":[{"resource":)";
  body += resource.dump(-1, ' ', false, json::error_handler_t::replace);
  body += R"(,"scopeLogs":[{"scope":{"name":"jobtrail","version":)";
  body += json(std::string(version)).dump();
  body += R"(},"logRecords":[)";
  body += records;
  body += "]}]}]}";
  return body;
}

namespace {

// One POST, bounded in time as a whole: the receiver may be slow, gone or hostile.
bool post(const HttpUrl& u, const std::string& body, std::chrono::milliseconds timeout) {
  net::io_context ioc;
  tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  http::request<http::string_body> req{http::verb::post, u.target, 11};
  req.set(http::field::host, u.host + ":" + u.port);
  req.set(http::field::content_type, "application/json");
  req.set(http::field::user_agent, "jobtrail-sidecar");
  req.body() = body;
  req.prepare_payload();
  beast::flat_buffer buf;
  http::response_parser<http::string_body> res;
  res.body_limit(64 * 1024);  // a collector's answer is small; more is not read
  bool ok = false;
  resolver.async_resolve(u.host, u.port, [&](beast::error_code ec, tcp::resolver::results_type found) {
    if (ec) return;
    stream.expires_after(timeout);
    stream.async_connect(found, [&](beast::error_code ec2, const tcp::endpoint&) {
      if (ec2) return;
      http::async_write(stream, req, [&](beast::error_code ec3, std::size_t) {
        if (ec3) return;
        http::async_read(stream, buf, res, [&](beast::error_code ec4, std::size_t) {
          if (ec4) return;
          const unsigned status = res.get().result_int();
          ok = status >= 200 && status < 300;
          beast::error_code ignored;
          stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
        });
      });
    });
  });
  ioc.run_for(timeout);  // resolving has no timeout of its own
  return ok;
}

bool is_power_of_two(std::uint64_t n) { return n && (n & (n - 1)) == 0; }

}  // namespace

class OtlpExporter final : public EventObserver {
 public:
  OtlpExporter(HttpUrl url, OtlpResource resource, events::StreamScope scope, OtlpLimits limits)
      : url_(std::move(url)), resource_(std::move(resource)), scope_(scope), limits_(limits),
        sender_([this] { send_loop(); }) {}
  ~OtlpExporter() override { stop(std::chrono::milliseconds(0)); }

  void on_event(const json& event, std::vector<json>& out) override {
    (void)out;
    try {
      enqueue(event);
    } catch (const std::exception&) {  // an event that cannot be encoded is lost to the stream only
      count_dropped(1, "an event could not be encoded");
    }
  }

  void enqueue(const json& event) {
    if (!events::in_stream_scope(event, scope_)) return;
    if (summary::event_type(event) == events::type_name::job_identity && !event.contains("mismatch")) {
      std::lock_guard lock(mu_);
      if (job_.is_null())
        if (auto it = event.find("job"); it != event.end() && it->is_object()) job_ = *it;
    }
    const std::string line = event.dump(-1, ' ', false, json::error_handler_t::replace);
    std::string rec = otlp_log_record(event, line, events::realtime_now_ns()).dump(-1, ' ', false, json::error_handler_t::replace);
    std::unique_lock lock(mu_);
    if (queue_.size() >= limits_.queue_records || queued_bytes_ + rec.size() > limits_.queue_bytes) {
      lock.unlock();
      count_dropped(1, "queue full");
      return;
    }
    queued_bytes_ += rec.size();
    queue_.push_back(std::move(rec));
    if (queue_.size() >= limits_.batch_records) wake_.notify_one();
  }

  void on_finish(std::vector<json>& out) override {
    (void)out;
    stop(std::chrono::milliseconds(limits_.finish_deadline_ms));
    spdlog::info("otlp: {} records exported, {} dropped", counts_.exported.load(), counts_.dropped.load());
  }

  bool sees_derived() const override { return true; }  // findings go to the collector too
  OtlpCounts counts() const { return {counts_.exported.load(), counts_.dropped.load()}; }

 private:
  void stop(std::chrono::milliseconds deadline) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      stopping_ = true;
      finish_by_ = std::chrono::steady_clock::now() + deadline;
    }
    wake_.notify_one();
    if (sender_.joinable()) sender_.join();
  }

  void count_dropped(std::uint64_t n, const char* why) {
    const auto before = counts_.dropped.fetch_add(n);
    g_metrics.otlp_dropped += n;
    for (auto k = before + 1; k <= before + n; ++k)
      if (is_power_of_two(k)) {  // a log line at the 1st, 2nd, 4th... drop, not one per record
        spdlog::warn("otlp: {} records dropped so far ({}); the archive has every event", k, why);
        break;
      }
  }

  void send_loop() {
    std::unique_lock lock(mu_);
    for (;;) {
      wake_.wait_for(lock, std::chrono::milliseconds(limits_.batch_interval_ms),
                     [this] { return stopping_ || queue_.size() >= limits_.batch_records; });
      if (queue_.empty()) {
        if (stopping_) return;
        continue;
      }
      if (stopping_ && std::chrono::steady_clock::now() >= finish_by_) {  // out of time: the rest is lost
        const auto n = queue_.size();
        queue_.clear();
        queued_bytes_ = 0;
        lock.unlock();
        count_dropped(n, "finish deadline");
        return;
      }
      std::string records;
      std::size_t n = 0;
      while (!queue_.empty() && n < limits_.batch_records) {
        if (n++) records += ',';
        records += queue_.front();
        queued_bytes_ -= queue_.front().size();
        queue_.pop_front();
      }
      const json resource = otlp_resource(resource_, job_);
      auto timeout = std::chrono::milliseconds(limits_.request_timeout_ms);
      if (stopping_) timeout = std::min(timeout, std::chrono::duration_cast<std::chrono::milliseconds>(
                                                     std::max(finish_by_ - std::chrono::steady_clock::now(),
                                                              std::chrono::steady_clock::duration(std::chrono::milliseconds(1)))));
      lock.unlock();
      const bool ok = post(url_, otlp_request_body(resource, records, resource_.version), timeout);
      if (ok) {
        counts_.exported += n;
        g_metrics.otlp_exported += n;
      } else {
        count_dropped(n, "the receiver did not accept a batch");
      }
      lock.lock();
    }
  }

  HttpUrl url_;
  OtlpResource resource_;
  events::StreamScope scope_;
  OtlpLimits limits_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::string> queue_;
  std::size_t queued_bytes_ = 0;
  json job_;  // null until the trail reveals the job
  bool stopping_ = false;
  std::chrono::steady_clock::time_point finish_by_{};
  struct {
    std::atomic<std::uint64_t> exported{0}, dropped{0};
  } counts_;
  std::thread sender_;  // last: starts once everything it uses exists
};

std::unique_ptr<EventObserver> make_otlp_exporter(const std::string& url, OtlpResource resource, events::StreamScope scope,
                                                  OtlpLimits limits) {
  auto u = parse_http_url(url);
  if (!u) throw std::invalid_argument("--otlp-endpoint wants http://HOST:PORT/PATH (plain HTTP), got '" + url + "'");
  return std::make_unique<OtlpExporter>(std::move(*u), std::move(resource), scope, limits);
}

OtlpCounts otlp_counts(const EventObserver& exporter) {
  const auto* x = dynamic_cast<const OtlpExporter*>(&exporter);
  return x ? x->counts() : OtlpCounts{};
}

}  // namespace jobtrail::sidecar
