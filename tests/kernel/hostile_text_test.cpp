// Text the job chose, through the real sidecar: bytes that are not UTF-8 in argv and in a file
// name keep their exact value in the archive, and escape sequences in argv and a file name
// reach the live stream (kubectl logs) escaped, never raw.
#include <unistd.h>

#include <doctest/doctest.h>

#include <fstream>
#include <iterator>

#include "harness.hpp"
#include "trail/text/exact_bytes.hpp"

using namespace jt_test;
using nlohmann::json;

namespace {
std::string file_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}
}  // namespace

TEST_CASE("hostile text: exact bytes in the archive, escaped in the live stream") {
  TestCgroup cg("hostile-text");
  auto storage = scratch_dir("hostile-text");
  auto tmp = scratch_dir("hostile-text-files");
  const std::string tag = std::to_string(getpid());
  const std::string not_utf8 = "\xff\xfe", title = "\x1b]0;title\a";
  const std::string esc_file = (tmp / ("\x1b[8mhidden\x1b[0m-" + tag)).string();
  const std::string bad_file = (tmp / ("bad-\xc0\xaf-" + tag)).string();
  // compact: the live stream as an operator reads it with kubectl logs (file lines included)
  Sidecar sidecar(cg.path(), storage, {"--output", "compact", "--stream", "files"});
  CHECK(wait_status(spawn_in(cg.path(), "/bin/echo", {"/bin/echo", not_utf8})) == 0);
  CHECK(wait_status(spawn_in(cg.path(), "/bin/echo", {"/bin/echo", title})) == 0);
  CHECK(wait_status(spawn_in(cg.path(), "/usr/bin/touch", {"touch", esc_file, bad_file})) == 0);
  REQUIRE(WEXITSTATUS(sidecar.stop()) == 0);

  auto dir = archive_dir(storage);
  auto events = read_events(dir);
  CHECK(read_manifest(dir)["schema_version"] == 2);
  bool echo_seen = false, title_seen = false, esc_seen = false, bad_seen = false;
  for (auto& e : events) {
    const auto args = jobtrail::text::exact_strings(e.value("process", json::object()), "args");
    if (e["type"] == "process_exec" && args == std::vector<std::string>{"/bin/echo", not_utf8}) {
      echo_seen = true;
      CHECK(e["invalid_utf8"] == true);
      CHECK(e["process"]["args_b64"][1] == "//4=");
    }
    if (e["type"] == "process_exec" && args == std::vector<std::string>{"/bin/echo", title}) title_seen = true;
    if (e["type"] == "file_open") {
      auto path = jobtrail::text::exact_string(e["file"], "path");
      if (path == esc_file) esc_seen = true;
      if (path == bad_file) {
        bad_seen = true;
        CHECK(e["file"].contains("path_b64"));
      }
    }
  }
  CHECK_MESSAGE(echo_seen, "the exec of /bin/echo $'\\xff\\xfe' with its exact argv");
  CHECK(title_seen);
  CHECK_MESSAGE(esc_seen, "the open of the file named with ESC, exactly");
  CHECK_MESSAGE(bad_seen, "the open of the file named with bytes that are not UTF-8, exactly");

  const std::string live = file_text(sidecar.stdout_file());
  CHECK_MESSAGE(live.find('\x1b') == std::string::npos, "a raw ESC in the live stream");
  CHECK_MESSAGE(live.find('\a') == std::string::npos, "a raw BEL in the live stream");
  CHECK(live.find("\xff") == std::string::npos);
  CHECK(live.find("/bin/echo '\\xff\\xfe'") != std::string::npos);
  CHECK(live.find("'\\e]0;title\\x07'") != std::string::npos);
  CHECK(live.find("\\e[8mhidden\\e[0m-" + tag) != std::string::npos);
  CHECK(live.find("bad-\\xc0\\xaf-" + tag) != std::string::npos);
}
