#pragma once
// Which events a reader sees by default: the story of the job (processes, network and DNS,
// privilege use, findings, losses and identity), as in the seed post's Tetragon stream. File
// events are the bulk of a build's trail (locale and library opens) and drown the story, so they
// go to the archive always and to the live stream or `jobtrail show` only when asked for. One
// predicate for the sidecar's live stream and the CLI, so both read the same.
#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace jobtrail::events {

enum class StreamScope {
  story,  // everything but file events (the default)
  all,    // story plus file events
};

// The words of --stream (sidecar and `jobtrail show`): story; files and all (the same today: file
// events are the only ones the story leaves out).
const std::map<std::string, StreamScope>& stream_scope_names();

// True when `event` belongs to `scope`. An event of an unknown type or with no type is shown:
// hiding what we do not understand would hide exactly what a hostile job made up.
bool in_stream_scope(const nlohmann::json& event, StreamScope scope);

}  // namespace jobtrail::events
