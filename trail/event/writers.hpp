#pragma once
// One writer per event part (internal to trail/event; writer.hpp is the way in). Each writes
// its keys in byte order, through Top for the keys at the top level of the event, where they
// interleave with the keys every event has (invalid_utf8, process, seq, time, type).
#include <string_view>

#include "trail/event/event.hpp"
#include "trail/event/json_out.hpp"

namespace jobtrail::event::write {

using json_out::Object;

// The top-level object: before(k) writes the common members whose keys sort before `k` and
// returns the object for the member `k`; finish() writes the rest and closes it.
class Top {
 public:
  Top(const Event& e, json_out::Line& line);
  Object& before(std::string_view k);
  void finish();
  const Event& event() const { return e_; }

 private:
  void common(std::size_t i);
  const Event& e_;
  json_out::Line& line_;
  Object o_;
  std::size_t next_ = 0;
  std::size_t marker_ = 0;  // where invalid_utf8 goes
  bool marker_first_ = false;
};

void process(Object& parent, const Process& p);
void flow(Object& parent, std::string_view k, const Flow& f);
void exec(Top& top, const Exec& x);
void exit(Top& top, const Exit& x);
void file(Top& top, const File& x);
void net(Top& top, const Net& x);
void dns(Top& top, const Dns& x);
void priv(Top& top, const Priv& x);
void capability(Top& top, const Capability& x);
void lost(Top& top, const Lost& x);
void finding(Top& top, const Finding& x);
void identity(Top& top, const Identity& x);
void family_missing(Top& top, const FamilyMissing& x);

}  // namespace jobtrail::event::write
