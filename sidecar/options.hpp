#pragma once
// Settings of one sidecar run, filled from the command line (sidecar/main.cpp).
#include <cstdint>
#include <string>
#include <vector>

#include "trail/sidecar_limits/memory_budget.hpp"
#include "trail/sidecar_limits/ring_buffer_size.hpp"
#include "sidecar/tracer.hpp"
#include "trail/events/stream_scope.hpp"
#include "trail/storage/store.hpp"

namespace jobtrail::sidecar {

enum class OutputMode { compact, json };

struct Options {
  std::string cgroup;            // cgroup v2 dir to trace; "" = discover (run) / fresh (record)
  std::string host_cgroup_root;  // host cgroup2 mount; "" = first that exists of the defaults
  storage::StoreOptions store;
  std::string spool = "/var/spool/jobtrail";      // run: the node's spool root, one folder per pod uid
  std::uint64_t spool_max_bytes = 1ull << 30;     // this pod's folder; past it events are counted as lost
  double spool_orphan_grace_s = 360;              // a dead owner's folder is finished after this long
  std::string signing_key;  // Ed25519 private key PEM; "" = unsigned (sidecar/signing_key.hpp)
  std::uint64_t segment_max_bytes = 8 << 20;
  double segment_max_age_s = 10;
  double flush_deadline_s = 25;
  FilesMode files = FilesMode::folded;
  OutputMode output = OutputMode::compact;
  events::StreamScope stream = events::StreamScope::story;  // live stream: file events only when asked
  std::string http_listen = "0.0.0.0:9477";  // "" = no endpoint
  std::string otlp_endpoint;                  // "" = no OTLP log export (sidecar/otlp_exporter.hpp)
  bool http_listen_given = false;             // record: only when asked
  bool exit_when_idle = false;
  std::uint64_t ring_buffer_kib = kDefaultRingBufferKib;  // the one ring buffer of all families
  std::uint64_t memory_budget_mib = kDefaultMemoryBudgetMib;  // everything, rings included
  std::string log_level = "info";
  std::vector<std::string> disabled_findings;  // finding rule ids switched off (docs/findings.md)
  std::vector<std::string> allowed_domains;    // domain-not-allowed allow-list; empty = rule idle
  // record mode
  std::string out_dir;
  std::vector<std::string> command;
};

}  // namespace jobtrail::sidecar
