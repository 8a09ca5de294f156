#include "trail/s3/credentials.hpp"

#include <pugixml.hpp>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <ctime>
#include <iomanip>
#include <fstream>
#include <sstream>

#include "trail/s3/errors.hpp"
#include "trail/storage/store.hpp"

namespace jobtrail::s3 {

using storage::StoreError;

Getenv process_env() {
  return [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    if (!v || !*v) return std::nullopt;
    return std::string(v);
  };
}

std::optional<Credentials> credentials_from_env(const Getenv& env) {
  auto id = env("AWS_ACCESS_KEY_ID"), secret = env("AWS_SECRET_ACCESS_KEY");
  if (!id || !secret) return std::nullopt;
  return Credentials{*id, *secret, env("AWS_SESSION_TOKEN").value_or("")};
}

namespace {
std::string trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}
}  // namespace

std::optional<Credentials> parse_shared_credentials(std::string_view ini, std::string_view profile) {
  Credentials c;
  bool in_section = false, found = false;
  std::istringstream in{std::string(ini)};
  std::string line;
  while (std::getline(in, line)) {
    std::string t = trim(line);
    if (t.empty() || t[0] == '#' || t[0] == ';') continue;
    if (t.front() == '[' && t.back() == ']') {
      std::string name = trim(std::string_view(t).substr(1, t.size() - 2));
      in_section = name == profile;
      found = found || in_section;
      continue;
    }
    if (!in_section) continue;
    auto eq = t.find('=');
    if (eq == std::string::npos) continue;
    std::string key = trim(std::string_view(t).substr(0, eq)), value = trim(std::string_view(t).substr(eq + 1));
    if (key == "aws_access_key_id") c.access_key_id = value;
    else if (key == "aws_secret_access_key") c.secret_access_key = value;
    else if (key == "aws_session_token") c.session_token = value;
  }
  if (!found || c.access_key_id.empty() || c.secret_access_key.empty()) return std::nullopt;
  return c;
}

std::chrono::system_clock::time_point parse_iso8601_utc(std::string_view s) {
  std::tm tm{};
  std::istringstream in{std::string(s)};
  in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%S");
  if (in.fail()) throw std::runtime_error("bad timestamp '" + std::string(s) + "'");
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

TemporaryCredentials parse_assume_role_reply(std::string_view xml) {
  pugi::xml_document doc;
  if (!doc.load_buffer(xml.data(), xml.size())) throw std::runtime_error("STS reply is not XML");
  auto creds = doc.child("AssumeRoleWithWebIdentityResponse")
                   .child("AssumeRoleWithWebIdentityResult")
                   .child("Credentials");
  if (!creds) {
    ErrorReply e = parse_error_reply(xml);
    throw std::runtime_error("STS AssumeRoleWithWebIdentity: " +
                             (e.code.empty() ? std::string("reply without credentials") : e.code + ": " + e.message));
  }
  TemporaryCredentials t;
  t.credentials.access_key_id = creds.child_value("AccessKeyId");
  t.credentials.secret_access_key = creds.child_value("SecretAccessKey");
  t.credentials.session_token = creds.child_value("SessionToken");
  if (t.credentials.access_key_id.empty() || t.credentials.secret_access_key.empty())
    throw std::runtime_error("STS reply without AccessKeyId/SecretAccessKey");
  t.expiration = parse_iso8601_utc(creds.child_value("Expiration"));
  return t;
}

std::string assume_role_form(std::string_view role_arn, std::string_view session_name, std::string_view token) {
  return encode_query({{"Action", "AssumeRoleWithWebIdentity"},
                       {"RoleArn", std::string(role_arn)},
                       {"RoleSessionName", std::string(session_name)},
                       {"Version", "2011-06-15"},
                       {"WebIdentityToken", std::string(token)}});
}

WebIdentityProvider::WebIdentityProvider(std::string role_arn, std::string token_file, std::string session_name,
                                         std::string sts_endpoint, TlsOptions tls, std::chrono::seconds margin)
    : role_arn_(std::move(role_arn)), token_file_(std::move(token_file)), session_name_(std::move(session_name)),
      sts_endpoint_(std::move(sts_endpoint)), tls_(std::move(tls)), margin_(margin) {}

std::string WebIdentityProvider::source() const { return "web identity " + role_arn_ + " via " + sts_endpoint_; }

void WebIdentityProvider::invalidate() {
  std::lock_guard lock(mu_);
  current_.reset();
}

Credentials WebIdentityProvider::get() {
  std::lock_guard lock(mu_);
  auto now = std::chrono::system_clock::now();
  if (!current_ || current_->expiration - margin_ <= now) {
    current_ = fetch();
    spdlog::info("s3: web identity credentials for {} valid until {}s from now", role_arn_,
                 std::chrono::duration_cast<std::chrono::seconds>(current_->expiration - now).count());
  }
  return current_->credentials;
}

TemporaryCredentials WebIdentityProvider::fetch() {
  std::ifstream in(token_file_);
  if (!in) throw StoreError("NoCredentials", "cannot read web identity token file " + token_file_, true);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string token = trim(ss.str());  // the projected token is re-read each time: kubelet rotates it
  Endpoint ep = parse_endpoint(sts_endpoint_, "");
  HttpConnection conn(ep, ep.tls ? make_tls_context(tls_) : nullptr, Timeouts{});
  std::string form = assume_role_form(role_arn_, session_name_, token);
  HttpRequest req{"POST", "/", {{"Host", ep.host_header()}, {"Content-Type", "application/x-www-form-urlencoded"},
                                {"Accept", "application/xml"}}, {}};
  req.body.memory = form;
  HttpResponse res;
  try {
    res = conn.send(req);
  } catch (const TransportError& e) {
    throw StoreError("NetworkError", std::string("STS AssumeRoleWithWebIdentity: ") + e.what(), true);
  }
  if (res.status != 200) {
    ErrorReply e = parse_error_reply(res.body);
    throw StoreError(e.code.empty() ? code_for_status(res.status) : e.code,
                     "STS AssumeRoleWithWebIdentity for " + role_arn_ + ": " + describe(res.status, e),
                     retryable(res.status, e.code));
  }
  try {
    return parse_assume_role_reply(res.body);
  } catch (const std::exception& e) {
    throw StoreError("InvalidStsReply", e.what(), true);
  }
}

std::shared_ptr<CredentialsProvider> default_credentials(std::string_view region, const TlsOptions& tls,
                                                         const Getenv& env) {
  if (auto c = credentials_from_env(env)) return std::make_shared<StaticProvider>(*c, "environment");
  std::string profile = env("AWS_PROFILE").value_or("default");
  std::string file = env("AWS_SHARED_CREDENTIALS_FILE").value_or(env("HOME").value_or("/root") + "/.aws/credentials");
  if (std::ifstream in(file); in) {
    std::stringstream ss;
    ss << in.rdbuf();
    if (auto c = parse_shared_credentials(ss.str(), profile))
      return std::make_shared<StaticProvider>(*c, "file " + file + " [" + profile + "]");
  }
  auto role = env("AWS_ROLE_ARN"), token_file = env("AWS_WEB_IDENTITY_TOKEN_FILE");
  if (role && token_file) {
    std::string sts = env("AWS_ENDPOINT_URL_STS").value_or("https://sts." + std::string(region) + ".amazonaws.com");
    std::string session = env("AWS_ROLE_SESSION_NAME").value_or("jobtrail-" + std::to_string(::time(nullptr)));
    return std::make_shared<WebIdentityProvider>(*role, *token_file, session, sts, tls);
  }
  throw StoreError("NoCredentials",
                   "no S3 credentials: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or a profile '" + profile +
                       "' in " + file + ", or AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE");
}

}  // namespace jobtrail::s3
