// The sidecar's view of the job reaching for it, without a kernel: who sent a caught signal
// (sidecar/signal_origin.*) and how the kernel's records of it decode (trail/events/priv_decode).
#include <doctest/doctest.h>

#include <cstring>
#include <memory>

#include "bpf/events/priv.h"
#include "sidecar/signal_origin.hpp"
#include "trail/events/priv_decode.hpp"

using namespace jobtrail;
using sidecar::SignalOrigin;
using sidecar::SignalTally;
using sidecar::signal_origin;
using nlohmann::json;

TEST_CASE("signal origin: the job's alone goes on, anyone else's stops, nothing counted stops") {
  CHECK(signal_origin(SignalTally{1, 0}, {}) == SignalOrigin::job);
  CHECK(signal_origin(SignalTally{0, 1}, {}) == SignalOrigin::outside);
  // the kubelet's SIGTERM merged with a pending one of the job: both counted, outside wins
  CHECK(signal_origin(SignalTally{3, 2}, SignalTally{2, 1}) == SignalOrigin::outside);
  // only the job's count moved since the last decision
  CHECK(signal_origin(SignalTally{3, 2}, SignalTally{2, 2}) == SignalOrigin::job);
  // a signal the kernel did not count (sent before the programs were attached) or no tally
  CHECK(signal_origin(SignalTally{2, 2}, SignalTally{2, 2}) == SignalOrigin::unknown);
  CHECK(signal_origin(std::nullopt, {}) == SignalOrigin::unknown);
}

namespace {
std::unique_ptr<priv_event> record(unsigned syscall) {
  auto e = std::make_unique<priv_event>();
  e->hdr.type = JT_EV_PRIV_SYSCALL;
  e->hdr.size = sizeof(*e);
  e->hdr.pid = 42;
  e->syscall = syscall;
  return e;
}
json priv_of(const priv_event& e) {
  std::string why;
  auto j = events::decode_priv_record(&e, sizeof(e), &why);
  REQUIRE_MESSAGE(j, why);
  return (*j)["priv"];
}
}  // namespace

TEST_CASE("a signal generated for the sidecar decodes with its name, target and delivery") {
  auto e = record(JT_PRIV_SIGNAL);
  e->args[JT_SIG_ARG_SIGNO] = 15;
  e->args[JT_SIG_ARG_TARGET_TGID] = 4242;
  e->args[JT_SIG_ARG_TARGET_TID] = 4243;
  e->args[JT_SIG_ARG_GROUP] = 0;
  e->args[JT_SIG_ARG_CODE] = static_cast<__u64>(-6);  // SI_TKILL
  e->args[JT_SIG_ARG_RESULT] = 2;
  e->extra = JT_PRIV_TARGET_SIDECAR;
  json p = priv_of(*e);
  CHECK(p["syscall"] == "signal");
  CHECK(p["result"] == "ok");
  CHECK(p["args"] == json({{"signal", "SIGTERM"}, {"signo", 15}, {"target", "sidecar"}, {"target_host_pid", 4242},
                           {"target_host_tid", 4243}, {"whole_process", false}, {"si_code", -6},
                           {"delivery", "already_pending"}}));
  e->args[JT_SIG_ARG_SIGNO] = 40;  // real-time signals have no name of their own
  e->args[JT_SIG_ARG_RESULT] = 99;
  p = priv_of(*e);
  CHECK(p["args"]["signal"] == "SIG40");
  CHECK(p["args"]["delivery"] == "99");
}

TEST_CASE("ptrace and process_vm_readv name the sidecar only when the kernel says so") {
  auto e = record(JT_PRIV_PTRACE);
  e->args[0] = 16;
  e->args[1] = 7;
  CHECK_FALSE(priv_of(*e)["args"].contains("target"));
  e->extra = JT_PRIV_TARGET_SIDECAR;
  CHECK(priv_of(*e)["args"]["target"] == "sidecar");
  auto r = record(JT_PRIV_PROCESS_VM_READV);
  r->args[0] = 7;
  CHECK_FALSE(priv_of(*r)["args"].contains("target"));
  r->extra = JT_PRIV_TARGET_SIDECAR;
  CHECK(priv_of(*r)["args"]["target"] == "sidecar");
}

TEST_CASE("an open of the sidecar's /proc environ decodes with its path, target and fd") {
  auto e = record(JT_PRIV_OPEN_PROC_ENVIRON);
  const char path[] = "/proc/7/environ";
  std::memcpy(e->str[0], path, sizeof path);
  e->str_len[0] = sizeof path;
  e->args[1] = 0;  // O_RDONLY
  e->args[2] = 7;
  e->ret = 3;
  e->extra = JT_PRIV_TARGET_SIDECAR;
  json p = priv_of(*e);
  CHECK(p["syscall"] == "open_proc_environ");
  CHECK(p["result"] == 3);
  CHECK(p["args"] == json({{"proc_path", "/proc/7/environ"}, {"target_pid", 7}, {"flags", 0}, {"target", "sidecar"}}));
  e->syscall = JT_PRIV_OPEN_PROC_MEM;
  e->ret = -13;
  p = priv_of(*e);
  CHECK(p["syscall"] == "open_proc_mem");
  CHECK(p["result"] == "EACCES");
  // found from the opened file (the path did not match): no path, the thread's host number
  auto f = record(JT_PRIV_OPEN_PROC_MEM);
  f->args[2] = 4243;
  f->args[3] = 1;
  f->ret = 5;
  f->extra = JT_PRIV_TARGET_SIDECAR;
  CHECK(priv_of(*f)["args"] == json({{"target_host_tid", 4243}, {"found_by", "opened_file"}, {"target", "sidecar"}}));
}
