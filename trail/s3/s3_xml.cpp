#include "trail/s3/s3_xml.hpp"

#include <openssl/evp.h>

#include <pugixml.hpp>
#include <sstream>
#include <stdexcept>

#include "trail/s3/crypto.hpp"

namespace jobtrail::s3 {

ListPage parse_list_objects_v2(std::string_view xml) {
  pugi::xml_document doc;
  if (!doc.load_buffer(xml.data(), xml.size())) throw std::runtime_error("ListObjectsV2 reply is not XML");
  auto root = doc.child("ListBucketResult");
  if (!root) throw std::runtime_error("ListObjectsV2 reply without ListBucketResult");
  ListPage page;
  for (auto c : root.children("Contents")) {
    storage::ObjectInfo o;
    o.key = c.child_value("Key");
    o.size = std::stoull(std::string("0") + c.child_value("Size"));
    o.last_modified = c.child_value("LastModified");
    page.objects.push_back(std::move(o));
  }
  page.truncated = std::string_view(root.child_value("IsTruncated")) == "true";
  page.next_token = root.child_value("NextContinuationToken");
  if (page.truncated && page.next_token.empty())
    throw std::runtime_error("ListObjectsV2 reply truncated but without NextContinuationToken");
  return page;
}

std::string parse_upload_id(std::string_view xml) {
  pugi::xml_document doc;
  doc.load_buffer(xml.data(), xml.size());
  std::string id = doc.child("InitiateMultipartUploadResult").child_value("UploadId");
  if (id.empty()) throw std::runtime_error("CreateMultipartUpload reply without UploadId");
  return id;
}

std::string complete_multipart_xml(const PartList& parts) {
  pugi::xml_document doc;
  auto root = doc.append_child("CompleteMultipartUpload");
  root.append_attribute("xmlns") = "http://s3.amazonaws.com/doc/2006-03-01/";
  for (const auto& [n, etag] : parts) {
    auto p = root.append_child("Part");
    p.append_child("PartNumber").text() = n;
    p.append_child("ETag").text() = etag.c_str();
  }
  std::ostringstream out;
  doc.save(out, "", pugi::format_raw);
  return out.str();
}

std::string multipart_etag(const std::vector<std::string>& part_md5_hex) {
  std::string concat;
  for (const auto& hex : part_md5_hex)
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
      concat.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(concat.data(), concat.size(), md, &len, EVP_md5(), nullptr);
  return to_hex(std::string_view(reinterpret_cast<char*>(md), len)) + "-" + std::to_string(part_md5_hex.size());
}

}  // namespace jobtrail::s3
