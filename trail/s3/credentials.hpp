#pragma once
// Where the S3 keys come from, in the AWS SDKs' order: environment variables, the shared
// credentials file, then web identity (EKS IRSA: AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE,
// exchanged at STS AssumeRoleWithWebIdentity and refreshed before they expire).
// Parsing is pure (unit-tested); providers do the I/O and are thread-safe.
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "trail/s3/http_connection.hpp"
#include "trail/s3/sigv4.hpp"

namespace jobtrail::s3 {

using Getenv = std::function<std::optional<std::string>(const char*)>;
Getenv process_env();  // std::getenv, empty values treated as unset

std::optional<Credentials> credentials_from_env(const Getenv& env);
// The [profile] section of an AWS shared credentials file (INI); nullopt if absent/incomplete.
std::optional<Credentials> parse_shared_credentials(std::string_view ini, std::string_view profile);

struct TemporaryCredentials {
  Credentials credentials;
  std::chrono::system_clock::time_point expiration;
};
// The reply of STS AssumeRoleWithWebIdentity; throws std::runtime_error naming the STS error.
TemporaryCredentials parse_assume_role_reply(std::string_view xml);
// The form body of the STS call (Action=AssumeRoleWithWebIdentity&...), encoded.
std::string assume_role_form(std::string_view role_arn, std::string_view session_name, std::string_view token);
std::chrono::system_clock::time_point parse_iso8601_utc(std::string_view s);  // "2026-11-29T01:00:00Z"

class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  virtual Credentials get() = 0;      // may block (STS); throws storage::StoreError on failure
  virtual void invalidate() {}        // the store said the token expired: fetch anew next time
  virtual std::string source() const = 0;  // for logs: "environment", "file ~/.aws/credentials [default]", ...
};

class StaticProvider : public CredentialsProvider {
 public:
  StaticProvider(Credentials c, std::string source) : creds_(std::move(c)), source_(std::move(source)) {}
  Credentials get() override { return creds_; }
  std::string source() const override { return source_; }

 private:
  Credentials creds_;
  std::string source_;
};

class WebIdentityProvider : public CredentialsProvider {
 public:
  // sts_endpoint: "https://sts.REGION.amazonaws.com" or AWS_ENDPOINT_URL_STS.
  WebIdentityProvider(std::string role_arn, std::string token_file, std::string session_name,
                      std::string sts_endpoint, TlsOptions tls,
                      std::chrono::seconds refresh_margin = std::chrono::minutes(5));
  Credentials get() override;
  void invalidate() override;
  std::string source() const override;

 private:
  TemporaryCredentials fetch();
  std::string role_arn_, token_file_, session_name_, sts_endpoint_;
  TlsOptions tls_;
  std::chrono::seconds margin_;
  std::mutex mu_;
  std::optional<TemporaryCredentials> current_;
};

// The chain; throws storage::StoreError("NoCredentials") naming every place it looked.
std::shared_ptr<CredentialsProvider> default_credentials(std::string_view region, const TlsOptions& tls,
                                                         const Getenv& env = process_env());

}  // namespace jobtrail::s3
