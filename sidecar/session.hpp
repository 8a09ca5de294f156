#pragma once
// One tracing session: load + attach the tracers on a target cgroup, open the archive,
// run the pipeline until told to stop, then drain and finish within the deadline.
#include <atomic>
#include <filesystem>
#include <functional>
#include <string>

#include "sidecar/options.hpp"
#include "trail/events/compact.hpp"

namespace jobtrail::sidecar {

extern std::atomic<bool> g_stop;   // set once a SIGTERM/SIGINT from outside the job is taken (Session::run)
void install_signal_handlers();

struct SessionSpec {
  std::filesystem::path target;    // cgroup traced (subtree)
  std::filesystem::path excluded;  // cgroup excluded ("" none)
  std::shared_ptr<storage::Store> store;
  std::string archive_prefix;
  std::filesystem::path spool;
  nlohmann::json meta;
  events::PodRef pod;
};

class Session {
 public:
  Session(const Options& opts, SessionSpec spec);  // start-up: throws one-line errors
  ~Session();
  // Polls until should_stop() or g_stop; then drains and finishes. Returns true if complete.
  // An error after start-up ends the tracing early but never the archive: it is finished with
  // complete: false and the reason, and failed() is true.
  bool run(const std::function<bool()>& should_stop);
  bool failed() const { return failed_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  bool failed_ = false;
};

}  // namespace jobtrail::sidecar
