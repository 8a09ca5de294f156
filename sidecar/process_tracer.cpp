#include "sidecar/process_tracer.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <filesystem>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "bpf/events/common.h"
#include "process.skel.h"
#include "sidecar/container_names.hpp"
#include "sidecar/kernel_probe.hpp"
#include "trail/events/process_decode.hpp"
#include "trail/events/types.hpp"

namespace jobtrail::sidecar {

struct ProcessTracer::Impl {
  process* skel = nullptr;  // owned by the base
  std::unique_ptr<ContainerNames> containers;
  bool bounded = false;  // the exec program's bounded-loop variant (no bpf_loop on this kernel)
};

ProcessTracer::ProcessTracer()
    : BpfTracer("process",
                {{{JT_EV_PROCESS_EXEC, events::type_name::process_exec},
                  {JT_EV_PROCESS_EXIT, events::type_name::process_exit}},
                 events::lost_type::process_other},
                SharedMaps::own),
      impl_(std::make_unique<Impl>()) {}
ProcessTracer::~ProcessTracer() = default;

BpfTracer::Skeleton ProcessTracer::open_skeleton() {
  impl_->skel = process__open();
  return {impl_->skel, process__load, process__destroy};
}

void ProcessTracer::before_load(const TracerContext& ctx) {
  std::error_code ec;
  auto pod = std::filesystem::read_symlink("/proc/self/fd/" + std::to_string(ctx.target_cgroup_fd), ec);
  if (!ec) impl_->containers = std::make_unique<ContainerNames>(pod);
  // bpf_loop (5.17) and atomic fetch-add (5.12) come together in the exec program; without
  // bpf_loop the bounded variant records the same fields (bpf/process.bpf.c).
  impl_->bounded = !helper_offered(BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_FUNC_loop);
  bpf_program__set_autoload(impl_->skel->progs.raw_tracepoint__sched__sched_process_exec, !impl_->bounded);
  bpf_program__set_autoload(impl_->skel->progs.raw_tracepoint__sched__sched_process_exec_bounded, impl_->bounded);
  const int cpus = libbpf_num_possible_cpus();
  if (cpus <= 0) throw std::runtime_error("process tracer: cannot count possible CPUs: " + libbpf_error_text(cpus));
  impl_->skel->rodata->jt_possible_cpus = static_cast<std::uint32_t>(cpus);
}

void ProcessTracer::after_load(const TracerContext& ctx) {
  const int scope = scope_map_fd();
  std::uint32_t key = 0;
  if (bpf_map_update_elem(scope, &key, &ctx.target_cgroup_fd, BPF_ANY))
    throw std::runtime_error("process tracer: cannot set target cgroup: " + libbpf_error_text(errno));
  if (ctx.excluded_cgroup_fd >= 0) {
    key = 1;
    if (bpf_map_update_elem(scope, &key, &ctx.excluded_cgroup_fd, BPF_ANY))
      throw std::runtime_error("process tracer: cannot set excluded cgroup: " + libbpf_error_text(errno));
  }
}

nlohmann::json ProcessTracer::features() const {
  return {{"exec_loops", impl_->bounded ? "bounded" : "bpf_loop"}};
}

int ProcessTracer::scope_map_fd() const { return map_fd("jt_scope"); }
int ProcessTracer::exec_ref_map_fd() const { return map_fd("jt_exec_ref"); }

std::optional<nlohmann::json> ProcessTracer::decode(const void* data, std::size_t size) {
  std::string why;
  auto j = events::decode_process_record(data, size, &why);
  if (!j) {
    spdlog::warn("process tracer: bad record: {}", why);
    return j;
  }
  auto& p = (*j)["process"];
  if ((*j)["type"] == events::type_name::process_exec && impl_->containers) {
    const auto& cgroup = impl_->containers->cgroup_of(p.value("cgroup_id", std::uint64_t{0}));
    const auto slash = cgroup.rfind('/');
    p["container"] = {{"cgroup", cgroup},
                      {"id", container_id_of(slash == std::string::npos ? cgroup : cgroup.substr(slash + 1))}};
  }
  return j;
}

}  // namespace jobtrail::sidecar
