#include "sidecar/file_tracer.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <time.h>

#include <cerrno>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "bpf/events/file.h"
#include "file.skel.h"
#include "sidecar/bpf_attach.hpp"
#include "sidecar/kernel_probe.hpp"
#include "sidecar/loss_names.hpp"
#include "trail/events/file_decode.hpp"
#include "trail/events/json_time.hpp"
#include "trail/events/priv_decode.hpp"

namespace jobtrail::sidecar {

struct FileTracer::Impl {
  struct Destroy {
    void operator()(file* s) const { file__destroy(s); }
  };
  std::unique_ptr<file, Destroy> skel;
  int cgroup_fd = -1;
  std::unique_ptr<events::FileFolder> folder;
  std::int64_t mono_to_real_ns = events::monotonic_to_realtime_offset_ns();
  bool bounded = false;  // the bounded-loop variant of the looping programs (bpf/file.bpf.c)
  Links links;  // declared after the skeleton: detached before it is destroyed
};

namespace {
// Each looping program has a twin named NAME_bounded: autoload one of the two, and keep off a
// program disable_missing_tracepoints already turned off.
void choose_variant(bpf_object* obj, bool bounded) {
  static const std::string kSuffix = "_bounded";
  bpf_program* prog = nullptr;
  bpf_object__for_each_program(prog, obj) {
    const std::string name = bpf_program__name(prog);
    if (name.size() <= kSuffix.size() || name.compare(name.size() - kSuffix.size(), kSuffix.size(), kSuffix) != 0)
      continue;
    bpf_program* twin = bpf_object__find_program_by_name(obj, name.substr(0, name.size() - kSuffix.size()).c_str());
    if (!twin) throw std::logic_error("file tracer: " + name + " has no bpf_loop twin");
    const bool wanted = bpf_program__autoload(twin);
    bpf_program__set_autoload(prog, wanted && bounded);
    bpf_program__set_autoload(twin, wanted && !bounded);
  }
}
}  // namespace

FileTracer::FileTracer() : impl_(std::make_unique<Impl>()) {}
FileTracer::~FileTracer() = default;

void FileTracer::open_and_load(const TracerContext& ctx) {
  if (ctx.files == FilesMode::off) {
    spdlog::info("file tracer: --files off, not loaded");
    return;
  }
  impl_->folder = std::make_unique<events::FileFolder>(ctx.files == FilesMode::folded);
  impl_->skel.reset(file__open());
  if (!impl_->skel) throw std::runtime_error("file tracer: cannot open BPF object: " + libbpf_error_text(errno));
  disable_missing_tracepoints("file", impl_->skel->obj);
  reuse_shared_maps("file", impl_->skel->maps.jt_scope, impl_->skel->maps.jt_exec_ref, ctx);
  set_ring_buffer_size("file", impl_->skel->maps.rb, ctx);
  // bpf_loop (5.17) for the path walk and the walk of the fd table at exit, or the bounded
  // variant of both where it is missing (5.10): the same records.
  impl_->bounded = !helper_offered(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_loop) ||
                   !helper_offered(BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_FUNC_loop);
  choose_variant(impl_->skel->obj, impl_->bounded);
  impl_->cgroup_fd = ctx.target_cgroup_fd;
  if (int err = file__load(impl_->skel.get()))
    throw std::runtime_error("file tracer: BPF load failed: " + libbpf_error_text(err));
}

nlohmann::json FileTracer::features() const {
  if (!impl_->skel) return nlohmann::json::object();
  return {{"loops", impl_->bounded ? "bounded" : "bpf_loop"}};
}

void FileTracer::attach() {
  if (impl_->skel) impl_->links.attach_all("file", impl_->skel->obj, impl_->cgroup_fd);
}

int FileTracer::ring_buffer_fd() const { return impl_->skel ? bpf_map__fd(impl_->skel->maps.rb) : -1; }

std::optional<nlohmann::json> FileTracer::decode(const void* data, std::size_t size) {
  std::string why;
  auto j = events::decode_file_record(data, size, &why);
  if (!j) {
    spdlog::warn("file tracer: bad record: {}", why);
    return j;
  }
  const auto offset = impl_->mono_to_real_ns;
  std::optional<nlohmann::json> proc_access;
  if ((*j)["type"] == "file_open") proc_access = events::proc_access_event(*j);
  auto out = impl_->folder->add(std::move(*j), [offset](std::int64_t k) { return events::rfc3339_ns(k + offset); });
  if (proc_access) out.push_back(std::move(*proc_access));  // never folded
  return nlohmann::json(std::move(out));  // an array, possibly empty (folded or internal record)
}

void FileTracer::set_memory_share(std::uint64_t bytes) {
  if (impl_->folder) impl_->folder->set_max_bytes(bytes);
}
Tracer::MemoryUse FileTracer::memory_use() const {
  if (!impl_->folder) return {};
  return {impl_->folder->bytes(), impl_->folder->released_early()};
}

// Descriptions still referenced at the trail's end (or released where no program saw it): their
// totals so far, from the kernel's map, as release records flagged release_unseen.
std::vector<nlohmann::json> FileTracer::flush() {
  if (!impl_->folder) return {};
  std::vector<nlohmann::json> out;
  if (impl_->skel) {
    const int fd = bpf_map__fd(impl_->skel->maps.open_files);
    const auto offset = impl_->mono_to_real_ns;
    auto time_text = [offset](std::int64_t k) { return events::rfc3339_ns(k + offset); };
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    __u64 key = 0, next = 0;
    // Bounded by the map's size: a key deleted under us restarts nothing, it ends the walk.
    for (std::uint32_t n = 0; n < bpf_map__max_entries(impl_->skel->maps.open_files) &&
                              bpf_map_get_next_key(fd, n ? &key : nullptr, &next) == 0;
         ++n, key = next) {
      file_close_event e{};
      if (bpf_map_lookup_elem(fd, &next, &e.t) != 0) continue;
      e.hdr.type = JT_EV_FILE_CLOSE;
      e.hdr.size = sizeof(e);
      e.hdr.ktime_ns = static_cast<__u64>(now.tv_sec) * 1000000000ull + static_cast<__u64>(now.tv_nsec);
      e.t.flags |= JT_FILE_IO_RELEASE_UNSEEN;
      e.hdr.pid = e.hdr.tid = e.t.open_pid;  // no task releases it: the record speaks of its opener
      e.hdr.exec_id = e.t.open_exec_id;
      std::string why;
      auto j = events::decode_file_record(&e, sizeof(e), &why);
      if (!j) continue;
      for (auto& ev : impl_->folder->add(std::move(*j), time_text)) out.push_back(std::move(ev));
    }
  }
  for (auto& ev : impl_->folder->flush()) out.push_back(std::move(ev));
  return out;
}

std::map<std::string, std::uint64_t> FileTracer::read_losses() {
  if (!impl_->skel) return {};
  return name_losses(read_percpu_loss_map(bpf_map__fd(impl_->skel->maps.jt_loss)), [](std::uint32_t type) {
    return type == JT_EV_FILE_OPEN     ? "file_open"
           : type == JT_EV_FILE_CHANGE ? "file_change"
           : type == JT_EV_FILE_CLOSE  ? "file_io"
                                       : "file_exit";
  });
}

}  // namespace jobtrail::sidecar
