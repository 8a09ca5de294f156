#include "cli/errors.hpp"

namespace jobtrail::cli {

CliError explain(const storage::StoreError& e, const std::string& where) {
  const std::string& c = e.code();
  const std::string what = e.what();
  if (c == "InvalidUrl") return {exit_usage, what};
  if (c == "NoSuchKey") return {exit_not_found, "not found in " + where + ": " + what};
  if (c == "NoSuchBucket")
    return {exit_storage, "the bucket of " + where + " does not exist (wrong bucket or endpoint?): " + what};
  if (c == "NoCredentials") return {exit_storage, what};
  if (c == "AccessDenied" || c == "InvalidAccessKeyId" || c == "SignatureDoesNotMatch" || c == "ExpiredToken" ||
      c == "InvalidToken")
    return {exit_storage, "the store refused access to " + where + " (" + c +
                              "): check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (or the profile), --s3-region and "
                              "the bucket policy; " + what};
  if (c == "NetworkError" || c == "TlsError")
    return {exit_storage, "cannot reach the store of " + where + " (check --s3-endpoint, --ca-bundle): " + what};
  return {exit_storage, "storage error (" + c + ") at " + where + ": " + what};
}

}  // namespace jobtrail::cli
