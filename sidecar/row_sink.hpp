#pragma once
// The archive sink that also folds every event it archives into the job's summary row
// (trail/summary/job_row.hpp), findings included: the row says what the archive holds.
#include "sidecar/archive_sink.hpp"
#include "trail/summary/job_row.hpp"

namespace jobtrail::sidecar {

class RowSink final : public ArchiveSink {
 public:
  // Registers the row with the writer; `this` must outlive writer.finish().
  explicit RowSink(archive::Writer& w) : w_(w) {
    w_.set_job_row([this](const archive::Manifest& m) { return fold_.row(m); });
  }
  std::uint64_t append(nlohmann::json& event) override {
    auto seq = w_.append(event);
    if (seq != dropped) try {
        fold_.add(event);
      } catch (const std::exception&) {  // the fold's accessors are tolerant; the row never costs the trail
      }
    return seq;
  }
  void set_job_identity(const nlohmann::json& identity) override { w_.set_job_identity(identity); }
  void add_lost(const std::string& event_type, std::uint64_t n) override { w_.add_lost(event_type, n); }

 private:
  archive::Writer& w_;
  summary::JobRowFold fold_;
};

}  // namespace jobtrail::sidecar
