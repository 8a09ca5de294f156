// The live stream's compact lines for the process family (seed post style).
#include <doctest/doctest.h>

#include "trail/events/compact.hpp"

using jobtrail::events::format_compact;
using jobtrail::events::PodRef;
using jobtrail::events::quote_arg;

namespace {
nlohmann::json exec_event(nlohmann::json args) {
  return {{"type", "process_exec"}, {"process", {{"binary", "/usr/bin/curl"}, {"args", std::move(args)}}}};
}
}  // namespace

TEST_CASE("exec and exit lines name the pod the binary and the arguments") {
  PodRef pod{"arc-runners", "runner-abc"};
  CHECK(format_compact(exec_event({"curl", "-k", "https://x"}), pod) ==
        "🚀 process arc-runners/runner-abc /usr/bin/curl -k https://x");
  auto exit = exec_event({"curl", "-k"});
  exit["type"] = "process_exit";
  exit["exit"] = {{"code", 6}, {"signal", nullptr}};
  CHECK(format_compact(exit, pod) == "💥 exit    arc-runners/runner-abc /usr/bin/curl -k 6");
  exit["exit"] = {{"code", nullptr}, {"signal", 9}, {"signal_name", "KILL"}};
  CHECK(format_compact(exit, pod) == "💥 exit    arc-runners/runner-abc /usr/bin/curl -k SIGKILL");
}

TEST_CASE("arguments with spaces quotes and control characters stay readable on one line") {
  CHECK(quote_arg("plain") == "plain");
  CHECK(quote_arg("a b") == "'a b'");
  const auto nl = quote_arg("new\nline");
  CHECK(nl.find('\n') == std::string::npos);
  CHECK(quote_arg("") == "''");
  auto line = format_compact(exec_event({"sh", "-c", "echo 'hi'\nrm -rf /"}), PodRef{"ns", "p"});
  CHECK(line.find('\n') == std::string::npos);
}

TEST_CASE("lost and unknown events still get a line") {
  nlohmann::json lost = {{"type", "lost"}, {"lost_type", "process_exec"}, {"count", 12}};
  CHECK(format_compact(lost, PodRef{"ns", "p"}).find("12 process_exec") != std::string::npos);
  nlohmann::json odd = {{"type", "something_new"}};
  CHECK_NOTHROW(format_compact(odd, PodRef{"ns", "p"}));
  CHECK_FALSE(format_compact(odd, PodRef{"ns", "p"}).empty());
}
