// Pure helpers of the sidecar: container ids from cgroup names, the /metrics text.
#include <doctest/doctest.h>

#include "sidecar/container_names.hpp"
#include "sidecar/metrics.hpp"

using namespace jobtrail::sidecar;

TEST_CASE("container ids are found in the cgroup names of every driver") {
  const std::string id(64, 'a');
  CHECK(container_id_of("cri-containerd-" + id + ".scope") == id);
  CHECK(container_id_of("docker-" + id + ".scope") == id);
  CHECK(container_id_of("crio-" + id + ".scope") == id);
  CHECK(container_id_of(id) == id);
  CHECK(container_id_of("kubepods-burstable-pod1234.slice") == "");
  CHECK(container_id_of(std::string(63, 'b')) == "");
  CHECK(container_id_of(std::string(65, 'c')) == "");
  CHECK(container_id_of("") == "");
}

TEST_CASE("metrics render in the Prometheus text format") {
  SidecarMetrics m;
  m.events = 12;
  m.lost = 3;
  m.segments_uploaded = 4;
  auto text = render_metrics(m);
  CHECK(text.find("jobtrail_sidecar_events_total 12\n") != std::string::npos);
  CHECK(text.find("jobtrail_sidecar_lost_events_total 3\n") != std::string::npos);
  CHECK(text.find("jobtrail_sidecar_ready 0\n") != std::string::npos);
  CHECK(text.find("jobtrail_sidecar_segments_uploaded_total 4\n") != std::string::npos);
  CHECK(text.find("# TYPE jobtrail_sidecar_ready gauge") != std::string::npos);
}
