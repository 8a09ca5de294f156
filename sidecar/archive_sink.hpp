#pragma once
// What the pipeline writes to: the archive writer in the sidecar, a recording fake in the
// pipeline's unit test.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "trail/archive/writer.hpp"

namespace jobtrail::sidecar {

class ArchiveSink {
 public:
  static constexpr std::uint64_t dropped = archive::Writer::dropped;
  virtual ~ArchiveSink() = default;
  // Sets event["seq"] and writes it; returns the seq, or `dropped` when the spool is full.
  // Throws nlohmann::json::type_error for a string that is not UTF-8.
  virtual std::uint64_t append(nlohmann::json& event) = 0;
  virtual void set_job_identity(const nlohmann::json& identity) = 0;
  virtual void add_lost(const std::string& event_type, std::uint64_t n) = 0;
};

class WriterSink final : public ArchiveSink {
 public:
  explicit WriterSink(archive::Writer& w) : w_(w) {}
  std::uint64_t append(nlohmann::json& event) override { return w_.append(event); }
  void set_job_identity(const nlohmann::json& identity) override { w_.set_job_identity(identity); }
  void add_lost(const std::string& event_type, std::uint64_t n) override { w_.add_lost(event_type, n); }

 private:
  archive::Writer& w_;
};

}  // namespace jobtrail::sidecar
