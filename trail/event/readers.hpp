#pragma once
// One reader per event part, from the parsed archive line (internal to trail/event; the
// decoder, decoder.hpp, is the way in). Each fills its part from the keys the schema gives it
// (docs/schema.md), skips keys it does not know (a newer schema), and returns false, with
// `f.where`, at the first value of the wrong type or range.
#include "trail/event/event.hpp"
#include "trail/event/json_in.hpp"

namespace jobtrail::event::read {

using json_in::Element;
using json_in::Failure;
using json_in::Object;

bool process(Element v, Process& out, Failure& f);
bool flow(Object o, Flow& out, Failure& f, std::string_view family);
// `root` is the whole event; these read the keys of their type at the top level or in its object.
bool exec(Object root, Exec& out, Failure& f);
bool exit(Object root, Exit& out, Failure& f);
bool file(Object root, File& out, Failure& f);
bool net(Object root, Net& out, Failure& f);
bool dns(Object root, Dns& out, Failure& f);
bool priv(Object root, Priv& out, Failure& f);
bool capability(Object root, Capability& out, Failure& f);
bool lost(Object root, Lost& out, Failure& f);
bool finding(Object root, Finding& out, Failure& f);
bool identity(Object root, Identity& out, Failure& f);
bool family_missing(Object root, FamilyMissing& out, Failure& f);

// root[key] when the event has it and it is not null; false (with `present` false) when absent.
// Returns false and fails when it is present but no object.
bool family_object(Object root, std::string_view key, Object& out, bool& present, Failure& f);

}  // namespace jobtrail::event::read
