// Multipart upload of one large file: create, upload parts (each streamed from its file range
// and signed with its own SHA-256), complete; abort on any failure so no parts linger.
#include <spdlog/spdlog.h>

#include "trail/s3/crypto.hpp"
#include "trail/s3/s3_client.hpp"
#include "trail/s3/s3_xml.hpp"

namespace jobtrail::s3 {

using storage::StoreError;

void S3Client::put_multipart(const std::string& bucket, const std::string& key, const std::filesystem::path& file,
                             std::uint64_t size, std::string_view content_type, bool if_none_match) {
  // S3 checks If-None-Match on CompleteMultipartUpload; older gateways ignore it there, so look first.
  if (if_none_match) {
    try {
      head_object(bucket, key);
      throw StoreError("AlreadyExists", "s3 PUT s3://" + bucket + "/" + key + ": object exists already");
    } catch (const StoreError& e) {
      if (e.code() != "NoSuchKey") throw;
    }
  }
  Call create{"POST", bucket, key, {{"uploads", ""}}, {{"Content-Type", std::string(content_type)}}, {}, {}};
  add_object_lock(create.headers, nullptr);  // the retention goes on the upload; each part has its Content-MD5
  const std::string upload_id = parse_upload_id(execute(create).response.body);
  PartList parts;
  std::vector<std::string> md5s;
  try {
    int number = 1;
    for (std::uint64_t offset = 0; offset < size; offset += options_.part_size, ++number) {
      std::uint64_t length = std::min(options_.part_size, size - offset);
      RangeDigests d = digests_of_file_range(file, offset, length);
      Call part{"PUT", bucket, key, {{"partNumber", std::to_string(number)}, {"uploadId", upload_id}}, {}, {},
                d.sha256_hex};
      if (options_.object_lock.on()) part.headers.emplace_back("Content-MD5", content_md5(d.md5_hex));
      part.body.file = file;
      part.body.offset = offset;
      part.body.length = length;
      auto r = execute(part);
      std::string etag = r.response.header("etag");
      if (etag.empty()) throw StoreError("InvalidReply", "UploadPart " + std::to_string(number) + " reply without ETag", true);
      parts.emplace_back(number, etag);
      md5s.push_back(d.md5_hex);
    }
    std::string body = complete_multipart_xml(parts);
    Call complete{"POST", bucket, key, {{"uploadId", upload_id}}, {{"Content-Type", "application/xml"}}, {}, {}};
    if (if_none_match) complete.headers.emplace_back("If-None-Match", "*");
    complete.body.memory = body;
    complete.payload_sha256 = sha256_hex(body);
    Result r;
    try {
      r = execute(complete);
    } catch (const StoreError& e) {
      // A retried complete whose first reply was lost finds the upload gone: check the object is ours.
      if ((e.code() == "NoSuchUpload" || e.code() == "AlreadyExists") &&
          same_object_exists(bucket, key, multipart_etag(md5s)))
        return;
      throw;
    }
    // S3 may answer 200 and put the error in the body of a CompleteMultipartUpload.
    ErrorReply err = parse_error_reply(r.response.body);
    if (!err.code.empty())
      throw StoreError(err.code, "s3 CompleteMultipartUpload s3://" + bucket + "/" + key + ": " + describe(200, err),
                       retryable(500, err.code));
  } catch (...) {
    try {
      execute(Call{"DELETE", bucket, key, {{"uploadId", upload_id}}, {}, {}, {}});
    } catch (const std::exception& abort_error) {
      spdlog::warn("s3: could not abort multipart upload {} of s3://{}/{}: {}", upload_id, bucket, key,
                   abort_error.what());
    }
    throw;
  }
}

}  // namespace jobtrail::s3
