#include "sidecar/tracers.hpp"

namespace jobtrail::sidecar {

std::vector<TracerFactory> family_tracers() {
  return {
      // e.g. +[]() -> std::unique_ptr<Tracer> { return std::make_unique<FileTracer>(); },
  };
}

}  // namespace jobtrail::sidecar
