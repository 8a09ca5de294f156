// The archive's byte-preserving form: any bytes the job puts into argv, a path or a name come
// back exactly from the JSON line, and UTF-8 text is stored as it is.
#include <doctest/doctest.h>

#include <string>

#include "trail/text/exact_bytes.hpp"
#include "trail/text/utf8.hpp"

using nlohmann::json;
using namespace jobtrail::text;

namespace {
// As the archive writer and a reader see it: rewritten, one strict JSON line, parsed back.
json through_archive(json event) {
  preserve_exact_bytes(event);
  return json::parse(event.dump());  // strict: throws if any string is still not UTF-8
}
}  // namespace

TEST_CASE("base64 follows RFC 4648 and refuses what is not canonical") {
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("f") == "Zg==");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK(base64_encode("foo") == "Zm9v");
  CHECK(base64_encode("foobar") == "Zm9vYmFy");
  CHECK(base64_encode("\xff\xfe") == "//4=");
  CHECK(base64_decode("Zm9vYg==") == std::optional<std::string>("foob"));
  CHECK(base64_decode("//4=") == std::optional<std::string>("\xff\xfe"));
  for (const char* bad : {"Zg=", "Zg", "Z===", "Zm9v!A==", "Zg==Zg==", "=Zg=", "Zm 9"}) CHECK_FALSE(base64_decode(bad));
}

TEST_CASE("strict UTF-8 refuses overlong forms, surrogates, code points past U+10FFFF and cut sequences") {
  CHECK(is_valid_utf8("plain"));
  CHECK(is_valid_utf8("caf\xc3\xa9 \xf0\x9f\x9a\x80 \xed\x9f\xbf \xee\x80\x80 \xf4\x8f\xbf\xbf"));
  for (const char* bad : {"\xc0\x80", "\xc1\xbf", "\xe0\x9f\xbf", "\xf0\x8f\xbf\xbf", "\xed\xa0\x80", "\xed\xbf\xbf",
                          "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xff", "\x80", "\xe2\x82", "\xc3"})
    CHECK_FALSE(is_valid_utf8(bad));
  CHECK(to_valid_utf8("a\xff" "b") == "a\xef\xbf\xbd" "b");
  CHECK(to_valid_utf8("\xed\xa0\x80") == "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
}

TEST_CASE("every byte 0x00-0xff, alone and inside text, survives the archive exactly") {
  for (int b = 0; b < 256; ++b) {
    for (const std::string bytes : {std::string(1, static_cast<char>(b)), "a" + std::string(1, static_cast<char>(b)) + "z"}) {
      json back = through_archive({{"process", {{"binary", bytes}, {"args", {"echo", bytes}}}}});
      CHECK_MESSAGE(exact_string(back["process"], "binary") == std::optional<std::string>(bytes), "byte ", b);
      auto args = exact_strings(back["process"], "args");
      REQUIRE(args.size() == 2);
      CHECK(args[0] == "echo");
      CHECK_MESSAGE(args[1] == bytes, "byte ", b);
      CHECK(back.contains("invalid_utf8") == (b >= 0x80));
    }
  }
}

TEST_CASE("every pair of bytes survives the archive exactly") {
  for (int a = 0x80; a < 256; ++a)
    for (int b = 0; b < 256; b += 3) {
      const std::string bytes{static_cast<char>(a), static_cast<char>(b)};
      json back = through_archive({{"file", {{"path", bytes}}}});
      CHECK(exact_string(back["file"], "path") == std::optional<std::string>(bytes));
    }
}

TEST_CASE("invalid sequences keep their bytes; the string itself becomes readable UTF-8") {
  for (const std::string bytes : {"/bin/echo\xff\xfe", "\xc0\xaf..\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80\xed\xb0\x80",
                                  "\xf8\x88\x80\x80\x80", "cut\xe2\x82", "\x1b[8m\xff"}) {
    json ev = {{"type", "file_open"}, {"file", {{"path", bytes}, {"result", "ok"}}}};
    CHECK(preserve_exact_bytes(ev));
    CHECK(ev["invalid_utf8"] == true);
    CHECK(is_valid_utf8(ev["file"]["path"].get<std::string>()));
    CHECK(ev["file"]["path_b64"] == base64_encode(bytes));
    CHECK(exact_string(json::parse(ev.dump())["file"], "path") == std::optional<std::string>(bytes));
  }
}

TEST_CASE("UTF-8 strings are stored as they are, without a sibling") {
  json ev = {{"type", "process_exec"},
             {"process", {{"binary", "/usr/bin/caf\xc3\xa9"}, {"args", {"a", "\xf0\x9f\x9a\x80"}}, {"cwd", "/w"}}}};
  const json before = ev;
  CHECK_FALSE(preserve_exact_bytes(ev));
  CHECK(ev == before);
}

TEST_CASE("argv keeps one base64 entry per argument that was not UTF-8, null for the others") {
  json ev = {{"process", {{"args", {"echo", "\xff\xfe", "ok", "x\x80"}}}}};
  CHECK(preserve_exact_bytes(ev));
  CHECK(ev["process"]["args_b64"] == json({nullptr, "//4=", nullptr, base64_encode("x\x80")}));
  CHECK(exact_strings(ev["process"], "args") == std::vector<std::string>{"echo", "\xff\xfe", "ok", "x\x80"});
}

TEST_CASE("nested objects and arrays of objects are rewritten too") {
  json ev = {{"priv", {{"args", {{"source", "/dev/\xff"}}}}}, {"dns", {{"answers", {{{"data", "\xfe.x"}}}}}}};
  CHECK(preserve_exact_bytes(ev));
  CHECK(exact_string(ev["priv"]["args"], "source") == std::optional<std::string>("/dev/\xff"));
  CHECK(exact_string(ev["dns"]["answers"][0], "data") == std::optional<std::string>("\xfe.x"));
  CHECK_NOTHROW(ev.dump());
}

TEST_CASE("readers of older archives and of damaged siblings fall back to the string") {
  json v1 = {{"binary", "/bin/echo\xef\xbf\xbd"}};  // schema 1: U+FFFD, no sibling
  CHECK(exact_string(v1, "binary") == std::optional<std::string>("/bin/echo\xef\xbf\xbd"));
  json bad = {{"binary", "x"}, {"binary_b64", "not base64!"}, {"args", {"a", "b"}}, {"args_b64", {1, "@@", nullptr}}};
  CHECK(exact_string(bad, "binary") == std::optional<std::string>("x"));
  CHECK(exact_strings(bad, "args") == std::vector<std::string>{"a", "b"});
  CHECK_FALSE(exact_string(json{{"binary", 3}}, "binary"));
  CHECK_FALSE(exact_string(json::array(), "binary"));
  CHECK(exact_strings(json{{"args", "x"}}, "args").empty());
}
