// terminal_safe(): what the job wrote into a field cannot drive the operator's terminal.
#include <doctest/doctest.h>

#include <string>

#include "trail/events/compact.hpp"
#include "trail/text/terminal_text.hpp"

using jobtrail::text::terminal_safe;

namespace {
// No byte a terminal acts on: C0, DEL, ESC, any byte >= 0x80 outside well-formed UTF-8, C1 as UTF-8.
bool inert(const std::string& s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) return false;
    if (c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) < 0xa0) return false;
    if (c == 0xe2 && s.compare(i, 3, "\xe2\x80\xae") == 0) return false;
  }
  return true;
}
}  // namespace

TEST_CASE("escape sequences of the job are shown, not obeyed") {
  CHECK(terminal_safe("\x1b[8mhidden\x1b[0m") == "\\e[8mhidden\\e[0m");
  CHECK(terminal_safe("\x1b]0;title\a") == "\\e]0;title\\x07");
  CHECK(terminal_safe("a\tb\nc\rd") == "a\\tb\\nc\\rd");
  CHECK(terminal_safe(std::string("nul\0byte", 8)) == "nul\\x00byte");
  CHECK(terminal_safe("del\x7f") == "del\\x7f");
}

TEST_CASE("a backslash of the data is doubled, so an escape is never ambiguous") {
  CHECK(terminal_safe("\\e") == "\\\\e");
  CHECK(terminal_safe("C:\\x1b") == "C:\\\\x1b");
  CHECK(terminal_safe("\\\x1b") == "\\\\\\e");
}

TEST_CASE("C1 controls, bidi overrides and line separators are shown as code points") {
  CHECK(terminal_safe("\xc2\x9b" "31m") == "\\u{009b}31m");        // CSI as UTF-8
  CHECK(terminal_safe("\xc2\x85") == "\\u{0085}");                 // NEL
  CHECK(terminal_safe("abc\xe2\x80\xae" "fdp.exe") == "abc\\u{202e}fdp.exe");  // RLO
  CHECK(terminal_safe("\xe2\x81\xa6x\xe2\x81\xa9") == "\\u{2066}x\\u{2069}");
  CHECK(terminal_safe("\xe2\x80\xa8") == "\\u{2028}");
  CHECK(terminal_safe("\xd8\x9c") == "\\u{061c}");
}

TEST_CASE("printable text and well-formed UTF-8 stay as they are") {
  CHECK(terminal_safe("/usr/bin/curl -k https://example") == "/usr/bin/curl -k https://example");
  CHECK(terminal_safe("caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x9a\x80") == "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x9a\x80");
  CHECK(terminal_safe("\xc2\xa0") == "\xc2\xa0");  // U+00A0, the first code point past C1
}

TEST_CASE("bytes outside well-formed UTF-8 are shown as \\xNN") {
  CHECK(terminal_safe("\xff\xfe") == "\\xff\\xfe");
  CHECK(terminal_safe("\x9b" "31m") == "\\x9b31m");                   // 8-bit CSI
  CHECK(terminal_safe("\xc0\xaf") == "\\xc0\\xaf");                   // overlong '/'
  CHECK(terminal_safe("\xe0\x80\xaf") == "\\xe0\\x80\\xaf");          // overlong, 3 bytes
  CHECK(terminal_safe("\xed\xa0\x80") == "\\xed\\xa0\\x80");          // surrogate U+D800
  CHECK(terminal_safe("\xf4\x90\x80\x80") == "\\xf4\\x90\\x80\\x80");  // past U+10FFFF
  CHECK(terminal_safe("\xe2\x80") == "\\xe2\\x80");                   // cut sequence
  CHECK(terminal_safe("\xc3") == "\\xc3");
}

TEST_CASE("every single byte comes out inert and every line stays one line") {
  for (int b = 0; b < 256; ++b) {
    const std::string in(1, static_cast<char>(b));
    const auto out = terminal_safe(in);
    CHECK_MESSAGE(inert(out), "byte ", b);
    if (b >= 0x20 && b < 0x7f && b != '\\') CHECK(out == in);
  }
  for (int a = 0xc2; a <= 0xc2; ++a)
    for (int b = 0x80; b < 0xa0; ++b) CHECK(inert(terminal_safe(std::string{static_cast<char>(a), static_cast<char>(b)})));
}

TEST_CASE("compact lines escape every field of the job") {
  using jobtrail::events::format_compact;
  jobtrail::events::PodRef pod{"ns\x1b[2J", "p"};
  nlohmann::json exec = {{"type", "process_exec"},
                         {"process", {{"binary", "/bin/\x1b[8mecho"}, {"args", {"echo", "\x1b]0;title\a", "a\\b"}}}}};
  const auto line = format_compact(exec, pod);
  CHECK(inert(line));
  CHECK(line.find("/bin/\\e[8mecho") != std::string::npos);
  CHECK(line.find("'\\e]0;title\\x07'") != std::string::npos);
  CHECK(line.find("'a\\\\b'") != std::string::npos);
  CHECK(line.find("ns\\e[2J/p") != std::string::npos);
  nlohmann::json open = {{"type", "file_open"},
                         {"process", {{"binary", "/bin/cat"}}},
                         {"file", {{"path", "/tmp/\x1b[8mhidden\x1b[0m"}, {"mode", {"read"}}, {"result", "ok"}}}};
  CHECK(format_compact(open, pod).find("/tmp/\\e[8mhidden\\e[0m read") != std::string::npos);
  nlohmann::json dns = {{"type", "dns_query"}, {"dns", {{"name", "a\xe2\x80\xae.com"}, {"qtype", "A"}}}};
  CHECK(format_compact(dns, pod).find("a\\u{202e}.com A?") != std::string::npos);
  nlohmann::json priv = {{"type", "priv_syscall"},
                         {"priv", {{"syscall", "mount"}, {"args", {{"target", "/mnt/\x1b[1A"}}}, {"result", "ok"}}}};
  CHECK(format_compact(priv, pod).find("target='/mnt/\\e[1A'") != std::string::npos);
  nlohmann::json finding = {{"type", "finding"}, {"finding", {{"id", "x"}, {"severity", "high"}, {"title", "t\x1b[0m"}}}};
  CHECK(format_compact(finding, pod).find("t\\e[0m") != std::string::npos);
  for (auto* ev : {&open, &dns, &priv, &finding}) CHECK(inert(format_compact(*ev, pod)));
}

TEST_CASE("compact lines of events with fields of the wrong type are still lines") {
  using jobtrail::events::format_compact;
  jobtrail::events::PodRef pod{"ns", "p"};
  for (const char* text : {R"({"type":5})", R"([1,2])", R"("x")", R"({"type":"process_exec","process":[1]})",
                           R"({"type":"process_exec","process":{"binary":7,"args":"x","args_truncated":"yes"}})",
                           R"({"type":"process_exit","exit":{"code":"x","signal":[],"signal_name":{}}})",
                           R"({"type":"file_open","file":{"path":{},"mode":"read","count":"many"}})",
                           R"({"type":"file_change","file":{"op":1,"new_path":2,"owner":"x"}})",
                           R"({"type":"net_connect","net":{"dst_addr":1,"dst_port":"80","src_addr":null}})",
                           R"({"type":"dns_answer","dns":{"answers":{"a":1},"name":[]}})",
                           R"({"type":"priv_syscall","priv":{"args":[1],"syscall":{}}})",
                           R"({"type":"capability","capability":{"count":1e308}})",
                           R"({"type":"lost","count":-1,"lost_type":[]})",
                           R"({"type":"job_identity","job":"x","mismatch":1})",
                           R"({"type":"finding","finding":{"exec_ids":"x","title":5}})",
                           R"({"type":"net_close","net":{"dst_port":18446744073709551615}})"}) {
    auto ev = nlohmann::json::parse(text);
    CHECK_NOTHROW(format_compact(ev, pod));
  }
}
