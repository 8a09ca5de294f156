#include "sidecar/file_tracer.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <time.h>

#include <cerrno>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "bpf/events/file.h"
#include "file.skel.h"
#include "sidecar/kernel_probe.hpp"
#include "trail/events/file_decode.hpp"
#include "trail/events/json_time.hpp"
#include "trail/events/priv_decode.hpp"
#include "trail/events/types.hpp"

namespace jobtrail::sidecar {

struct FileTracer::Impl {
  file* skel = nullptr;  // owned by the base
  std::unique_ptr<events::FileFolder> folder;
  std::int64_t mono_to_real_ns = events::monotonic_to_realtime_offset_ns();
  bool bounded = false;  // the bounded-loop variant of the looping programs (bpf/file.bpf.c)
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

FileTracer::FileTracer()
    : BpfTracer("file",
                {{{JT_EV_FILE_OPEN, events::type_name::file_open},
                  {JT_EV_FILE_CHANGE, events::type_name::file_change},
                  {JT_EV_FILE_CLOSE, events::type_name::file_io}},  // a release's totals are its file_io
                 events::type_name::file_exit}),
      impl_(std::make_unique<Impl>()) {}
FileTracer::~FileTracer() = default;

bool FileTracer::wanted(const TracerContext& ctx) {
  if (ctx.files != FilesMode::off) return true;
  spdlog::info("file tracer: --files off, not loaded");
  return false;
}

BpfTracer::Skeleton FileTracer::open_skeleton() {
  impl_->skel = file__open();
  return {impl_->skel, file__load, file__destroy};
}

void FileTracer::before_load(const TracerContext& ctx) {
  impl_->folder = std::make_unique<events::FileFolder>(ctx.files == FilesMode::folded);
  // bpf_loop (5.17) for the path walk and the walk of the fd table at exit, or the bounded
  // variant of both where it is missing (5.10): the same records.
  impl_->bounded = !helper_offered(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_loop) ||
                   !helper_offered(BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_FUNC_loop);
  choose_variant(impl_->skel->obj, impl_->bounded);
}

nlohmann::json FileTracer::features() const {
  if (!loaded()) return nlohmann::json::object();
  return {{"loops", impl_->bounded ? "bounded" : "bpf_loop"}};
}

std::optional<nlohmann::json> FileTracer::decode(const void* data, std::size_t size) {
  std::string why;
  auto j = events::decode_file_record(data, size, &why);
  if (!j) {
    spdlog::warn("file tracer: bad record: {}", why);
    return j;
  }
  const auto offset = impl_->mono_to_real_ns;
  std::optional<nlohmann::json> proc_access;
  if ((*j)["type"] == events::type_name::file_open) proc_access = events::proc_access_event(*j);
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
  if (loaded()) {
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

}  // namespace jobtrail::sidecar
