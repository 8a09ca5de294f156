#pragma once
// Something that watches the finished event stream and may derive new events from it
// (the findings engine). Derived events are written to the archive and the live stream
// like any other, after the event that caused them; observers never see their own output.
#include <vector>

#include <nlohmann/json.hpp>

namespace jobtrail::sidecar {

class EventObserver {
 public:
  virtual ~EventObserver() = default;
  // `event` is complete (seq, time, process fields). Append derived events to `out`.
  virtual void on_event(const nlohmann::json& event, std::vector<nlohmann::json>& out) = 0;
  // The trail is ending: append anything only known at the end.
  virtual void on_finish(std::vector<nlohmann::json>& out) { (void)out; }
  // An observer that derives nothing (an exporter) may also see what the others derived
  // (findings); it then finishes after them, so it sees what they derive at the end too.
  virtual bool sees_derived() const { return false; }
};

}  // namespace jobtrail::sidecar
