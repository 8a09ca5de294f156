#include "sidecar/tracers.hpp"

#include "sidecar/file_tracer.hpp"
#include "sidecar/net_tracer.hpp"
#include "sidecar/priv_tracer.hpp"

namespace jobtrail::sidecar {

std::vector<TracerFactory> family_tracers() {
  return {
      // e.g. +[]() -> std::unique_ptr<Tracer> { return std::make_unique<FileTracer>(); },
      +[]() -> std::unique_ptr<Tracer> { return std::make_unique<NetTracer>(); },
      +[]() -> std::unique_ptr<Tracer> { return std::make_unique<FileTracer>(); },
      +[]() -> std::unique_ptr<Tracer> { return std::make_unique<PrivTracer>(); },
  };
}

}  // namespace jobtrail::sidecar
