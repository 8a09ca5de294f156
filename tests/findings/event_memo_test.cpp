// EventMemo: the engine's rules ask each event the same questions; a memo answers them once,
// and only for the event it was made for.
#include <doctest/doctest.h>

#include "trail/findings/event_view.hpp"
#include "trail/findings/tool_names.hpp"

using namespace jobtrail::findings;

namespace {
json exec_of(const char* binary, std::vector<std::string> args, std::uint64_t exec_id) {
  return {{"type", "process_exec"}, {"process", {{"binary", binary}, {"args", args}, {"exec_id", exec_id}}}};
}
}  // namespace

TEST_CASE("a memo answers for its own event as the accessors do without it") {
  const json ev = exec_of("/usr/bin/python3", {"python3", "-m", "pip", "install", "x"}, 7);
  const auto type = type_of(ev);
  const auto names = program_names(ev);
  const auto tools = tool_names(ev);
  const auto args = args_of(ev);
  const EventMemo memo(ev);
  for (int round = 0; round < 2; ++round) {  // computed, then answered from the memo
    CHECK(type_of(ev) == type);
    CHECK(exec_id_of(ev) == 7);
    CHECK(program_names(ev) == names);
    CHECK(tool_names(ev) == tools);
    CHECK(args_of(ev) == args);
    CHECK(is_program(ev, {"python3"}));
    CHECK(is_tool(ev, {"pip"}));
    CHECK_FALSE(is_tool(ev, {"npm"}));
  }
  CHECK(tools == std::vector<std::string>{"python3", "pip"});
}

TEST_CASE("a memo never answers for another event, nor after its scope") {
  json a = exec_of("/bin/bash", {"bash", "-c", "x"}, 1);
  const json b = exec_of("/usr/bin/curl", {"curl", "https://example.com"}, 2);
  {
    const EventMemo memo(a);
    CHECK(program_names(a) == std::vector<std::string>{"bash"});
    CHECK(program_names(b) == std::vector<std::string>{"curl"});
    CHECK(exec_id_of(b) == 2);
    {
      const EventMemo inner(b);  // nested: each event its own answers
      CHECK(type_of(b) == "process_exec");
      CHECK(is_program(b, {"curl"}));
      CHECK(is_program(a, {"bash"}));
    }
    CHECK(exec_id_of(a) == 1);
  }
  a = exec_of("/usr/bin/wget", {"wget"}, 3);  // the same object, another event: no memo of the old one
  CHECK(program_names(a) == std::vector<std::string>{"wget"});
  CHECK(exec_id_of(a) == 3);
  CHECK(tool_names(a) == std::vector<std::string>{"wget"});
}

TEST_CASE("argv[0] is the first string of args, as args_of skips the others") {
  const json ev = {{"process", {{"binary", "/bin/busybox"}, {"args", json::array({1, "sh", "-c"})}}}};
  CHECK(program_names(ev) == std::vector<std::string>{"busybox", "sh"});
  const EventMemo memo(ev);
  CHECK(program_names(ev) == std::vector<std::string>{"busybox", "sh"});
}
