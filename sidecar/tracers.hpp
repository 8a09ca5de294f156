#pragma once
// The tracer families the sidecar runs besides the process family (which owns the shared
// maps and is always first). One line per family in sidecar/tracers.cpp.
#include <memory>
#include <vector>

#include "sidecar/tracer.hpp"

namespace jobtrail::sidecar {

// Families loaded after the process tracer, with its shared map fds in the context.
std::vector<TracerFactory> family_tracers();

}  // namespace jobtrail::sidecar
