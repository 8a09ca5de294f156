#pragma once
// Typed Event (event.hpp) -> archive line: the other direction of the Decoder (decoder.hpp),
// one writer per event part (write_*.cpp), byte for byte the line the archive writer makes of
// the same event today (nlohmann::json, trail/archive/writer.cpp serialize_event): keys in byte
// order at every level, compact, UTF-8 as it is, control bytes escaped as nlohmann escapes them,
// and every string that is not UTF-8 in the byte-preserving form (trail/text/exact_bytes.hpp:
// readable form, `K_b64` sibling, `"invalid_utf8":true`).
//
// What is written is what the event carries: Process members by `fields`, flags only when true,
// optionals only when set, and the members a type's decoder always writes (a net_close's byte
// counts, a process_exit's `code` and `signal` as null when unset, a job_identity's
// `revealed_by`), plus any other member that is not zero, so that no value is dropped. Priv and
// Capability write their `json` text as it is (the typed members come from it): the object as
// the line had it, in its key order (sorted in every line the archive writer made); one without
// the text writes its typed members, one with nothing at all (no object in the line) none.
//
// What a decoded Event cannot tell, and so does not come back as the line had it:
// - keys the schema does not name, duplicate keys (the last value stays), siblings that are not
//   canonical base64 and siblings of keys the readers do not apply them to;
// - a `null` (or absent) member against an absent (or null) one: a process member that is null
//   is not written, nor an absent `time` or `seq`; `code`, `signal` and `revealed_by` are null;
// - a zero, false or empty member that the event's type does not write (`"bytes_sent":0` on a
//   net_connect, `"args_unreadable":false`, `"env":{}`, `"stdio":{}` with no side);
// - a Container with a `name` and a cgroup or id too (no reader makes one): the object is written;
// - `invalid_utf8` is written when the event says so or a string written is not UTF-8.
// For every Event a Decoder returns, decode(write(e)) == e but for `invalid_utf8` (false may
// become true), and write(decode(write(e))) == write(e); the
// fuzz target tests/fuzz/event checks both.
#include <string>

#include "trail/event/event.hpp"

namespace jobtrail::event {

// Appends the archive line of `e`, without '\n', to `out`.
void write_line(const Event& e, std::string& out);

}  // namespace jobtrail::event
