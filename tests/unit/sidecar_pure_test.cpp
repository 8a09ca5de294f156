// Pure helpers of the sidecar: container ids from cgroup names, the /metrics text.
#include <doctest/doctest.h>

#include "bpf/events/common.h"
#include "bpf/events/net.h"
#include "sidecar/container_names.hpp"
#include "sidecar/loss_names.hpp"
#include "trail/sidecar_limits/memory_budget.hpp"
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
  m.live_released_early = 5;
  m.live_out_of_order = 6;
  m.objects_given_up = 7;
  m.orphan_spools_finished = 8;
  m.orphan_spools_skipped = 9;
  auto text = render_metrics(m);
  CHECK(text.find("jobtrail_sidecar_upload_given_up_total 7\n") != std::string::npos);
  CHECK(text.find("jobtrail_sidecar_orphan_spools_finished_total 8\n") != std::string::npos);
  CHECK(text.find("jobtrail_sidecar_orphan_spools_skipped_total 9\n") != std::string::npos);
  CHECK(text.find("jobtrail_sidecar_live_released_early_total 5\n") != std::string::npos);
  CHECK(text.find("jobtrail_sidecar_live_out_of_order_total 6\n") != std::string::npos);
  CHECK(text.find("jobtrail_sidecar_events_total 12\n") != std::string::npos);
  CHECK(text.find("jobtrail_sidecar_lost_events_total 3\n") != std::string::npos);
  CHECK(text.find("jobtrail_sidecar_ready 0\n") != std::string::npos);
  CHECK(text.find("jobtrail_sidecar_segments_uploaded_total 4\n") != std::string::npos);
  CHECK(text.find("# TYPE jobtrail_sidecar_ready gauge") != std::string::npos);
}

TEST_CASE("kernel loss slots are named by event type and cause") {
  using jobtrail::sidecar::loss_slot_name;
  const LossTable name_of{{{JT_EV_NET_ACCEPT, "net_accept"}}, "net_other"};
  constexpr std::uint32_t kTypes = JT_EV_TYPE_MAX + 1;
  CHECK(loss_slot_name(JT_EV_NET_ACCEPT, name_of) == "net_accept");
  CHECK(loss_slot_name(JT_LOSS_MAP_FULL * kTypes + JT_EV_NET_ACCEPT, name_of) == "net_accept_map_full");
  CHECK(loss_slot_name(JT_LOSS_SCRATCH * kTypes + JT_EV_NET_ACCEPT, name_of) == "net_accept_no_scratch");
  CHECK(loss_slot_name(JT_LOSS_SCAN_CUT * kTypes + 7, name_of) == "net_other_scan_cut");
  auto totals = jobtrail::sidecar::name_losses(
      {{JT_EV_NET_ACCEPT, 2}, {JT_LOSS_MAP_FULL * kTypes + JT_EV_NET_ACCEPT, 5}, {JT_LOSS_MAP_FULL * kTypes + 9, 1},
       {JT_LOSS_MAP_FULL * kTypes + 10, 1}},
      name_of);
  CHECK(totals == std::map<std::string, std::uint64_t>{{"net_accept", 2}, {"net_accept_map_full", 5}, {"net_other_map_full", 2}});
}

TEST_CASE("the memory budget holds the rings and the process first, then splits the rest") {
  using jobtrail::sidecar::split_memory_budget;
  constexpr std::uint64_t kMib = 1 << 20;
  std::string why;
  auto s = split_memory_budget(160 * kMib, 41 * kMib, &why);
  REQUIRE(s);
  CHECK(s->exec_table == (160 - 41 - 48) * kMib / 2);
  CHECK(s->file_folds == (160 - 41 - 48) * kMib / 4);
  CHECK_FALSE(split_memory_budget(96 * kMib, 41 * kMib, &why));
  CHECK(why == "--memory-budget-mib 96: too small for the ring buffer (41 MiB) + 48 MiB for the sidecar + 8 MiB "
               "of exec table and file folds; give at least 97");
  CHECK(split_memory_budget(97 * kMib, 41 * kMib, &why));
}
