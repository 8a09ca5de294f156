#pragma once
// The S3 XML replies we read (ListObjectsV2, CreateMultipartUpload, CompleteMultipartUpload)
// and the one we write (the part list of CompleteMultipartUpload). Pure, pugixml.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "trail/storage/store.hpp"

namespace jobtrail::s3 {

struct ListPage {
  std::vector<storage::ObjectInfo> objects;  // full keys as S3 returned them
  bool truncated = false;
  std::string next_token;
};
ListPage parse_list_objects_v2(std::string_view xml);  // throws std::runtime_error if malformed

std::string parse_upload_id(std::string_view xml);  // InitiateMultipartUploadResult/UploadId

using PartList = std::vector<std::pair<int, std::string>>;  // part number, ETag (with quotes)
std::string complete_multipart_xml(const PartList& parts);

// Hex MD5 ETag S3 gives a multipart object: md5(concat(binary part md5s)) + "-" + count.
std::string multipart_etag(const std::vector<std::string>& part_md5_hex);

}  // namespace jobtrail::s3
