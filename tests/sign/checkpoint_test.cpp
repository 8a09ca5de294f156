// The archive's signed texts (trail/archive/signing.hpp) and checkpoints (checkpoint.hpp).
#include <doctest/doctest.h>

#include "tests/sign/test_keys.hpp"
#include "trail/archive/checkpoint.hpp"
#include "trail/archive/signing.hpp"

using namespace jobtrail;
namespace k = jobtrail::test_keys;

TEST_CASE("signing: the signed texts are the documented bytes") {
  CHECK(archive::entry_signed_text("ab12") == "jobtrail-entry-sig-v1\nab12\n");
  CHECK(archive::manifest_signed_text("{\"a\":1}\n") == "jobtrail-manifest-sig-v1\n{\"a\":1}\n");
}

TEST_CASE("signing: a manifest signature object verifies over exactly those bytes") {
  auto priv = sign::PrivateKey::from_pem(k::ed_private_1);
  auto pub = sign::PublicKey::from_pem(k::ed_public_1);
  std::string manifest = "{\"format\":\"jobtrail-archive\"}\n";
  std::string why;
  auto obj = archive::parse_signature_object(archive::manifest_signature_object(priv, manifest), why);
  REQUIRE(obj);
  CHECK(obj->key_id == k::ed_key_id_1);
  CHECK(archive::verify_text(pub, archive::manifest_signed_text(manifest), obj->signature));
  CHECK_FALSE(archive::verify_text(pub, archive::manifest_signed_text(manifest + " "), obj->signature));
  CHECK_FALSE(archive::verify_text(pub, manifest, obj->signature));  // the domain line is part of it
  CHECK_FALSE(archive::verify_text(pub, archive::manifest_signed_text(manifest), "not base64!"));
  // An entry signature never passes for a manifest signature of the same bytes.
  auto entry_sig = archive::sign_text(priv, archive::entry_signed_text("x"));
  CHECK_FALSE(archive::verify_text(pub, archive::manifest_signed_text("x"), entry_sig));
}

TEST_CASE("signing: signature objects that are not ours are refused with a reason") {
  std::string why;
  CHECK_FALSE(archive::parse_signature_object("garbage", why));
  CHECK(why.find("not a jobtrail signature") != std::string::npos);
  CHECK_FALSE(archive::parse_signature_object(R"({"format":"jobtrail-signature","alg":"rsa","key_id":"a","signature":"b"})", why));
  CHECK(why.find("ed25519") != std::string::npos);
  CHECK_FALSE(archive::parse_signature_object(R"({"format":"jobtrail-signature","alg":"ed25519","key_id":1})", why));
  CHECK(why.find("lacks") != std::string::npos);
}

TEST_CASE("checkpoint: keys live outside the archive's folder and rank by segment count, final last") {
  archive::Checkpoint c;
  c.segments = 7;
  CHECK(archive::checkpoint_key("pods/ns/p/u/", c) == "checkpoints/pods/ns/p/u/000007.json");
  CHECK(archive::checkpoint_key("", c) == "checkpoints/000007.json");
  c.final = true;
  CHECK(archive::checkpoint_key("2026/12/01/u/", c) == "checkpoints/2026/12/01/u/final.json");
  CHECK(archive::checkpoint_rank("000007.json") == 7u);
  CHECK(archive::checkpoint_rank("1234567.json") == 1234567u);
  CHECK(*archive::checkpoint_rank("final.json") > *archive::checkpoint_rank("999999999.json"));
  CHECK_FALSE(archive::checkpoint_rank("7.json"));
  CHECK_FALSE(archive::checkpoint_rank("00000x.json"));
  CHECK_FALSE(archive::checkpoint_rank("000007.json.tmp"));
  CHECK_FALSE(archive::checkpoint_rank("99999999999999999999.json"));
}

TEST_CASE("checkpoint: the signed text and the JSON round trip") {
  archive::Checkpoint c{"pods/ns/p/u/", "pods/ns/p/u/manifest.json", 3, std::string(64, 'a'), 120, false, "",
                        "2026-12-01T00:00:00Z", k::ed_key_id_1, ""};
  CHECK(archive::checkpoint_signed_text(c) ==
        "jobtrail-checkpoint-v1\npods/ns/p/u/\npods/ns/p/u/manifest.json\n3\n" + std::string(64, 'a') +
            "\n120\n0\n\n2026-12-01T00:00:00Z\n" + k::ed_key_id_1 + "\n");
  auto priv = sign::PrivateKey::from_pem(k::ed_private_1);
  c.signature = archive::sign_text(priv, archive::checkpoint_signed_text(c));
  std::string why;
  auto back = archive::parse_checkpoint(archive::to_json_text(c), why);
  REQUIRE(back);
  CHECK(archive::checkpoint_signed_text(*back) == archive::checkpoint_signed_text(c));
  CHECK(back->signature == c.signature);
  auto pub = sign::PublicKey::from_pem(k::ed_public_1);
  CHECK(archive::verify_text(pub, archive::checkpoint_signed_text(*back), back->signature));
  back->segments = 2;  // a cut tail re-signed by nobody
  CHECK_FALSE(archive::verify_text(pub, archive::checkpoint_signed_text(*back), back->signature));
}

TEST_CASE("checkpoint: malformed bodies are refused without exceptions") {
  std::string why;
  CHECK_FALSE(archive::parse_checkpoint("", why));
  CHECK_FALSE(archive::parse_checkpoint("[1]", why));
  CHECK_FALSE(archive::parse_checkpoint(R"({"format":"jobtrail-checkpoint","format_version":1,"segments":-1})", why));
  CHECK(why.find("field") != std::string::npos);
  CHECK_FALSE(archive::parse_checkpoint(std::string(70000, ' '), why));
}
