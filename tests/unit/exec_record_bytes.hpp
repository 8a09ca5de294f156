#pragma once
// The bytes of one process_exec ring record, as bpf/process.bpf.c reserves it: the fixed part
// `e` (whatever fields a test sets), then binary, cwd, env and argv, with their lengths and the
// header's size filled in from them.
#include <string>

#include "bpf/events/process.h"

inline std::string exec_record_bytes(process_exec_event e, const std::string& binary, const std::string& cwd,
                                     const std::string& env, const std::string& args) {
  e.binary_len = static_cast<__u16>(binary.size());
  e.cwd_len = static_cast<__u16>(cwd.size());
  e.env_len = static_cast<__u16>(env.size());
  e.args_len = static_cast<__u32>(args.size());
  std::string out(reinterpret_cast<const char*>(&e), sizeof e);
  out += binary + cwd + env + args;
  reinterpret_cast<event_header*>(out.data())->size = static_cast<__u32>(out.size());
  return out;
}
