#pragma once
// The loader sequence every BPF tracer family follows, in one place: open the family's skeleton,
// turn off programs whose tracepoint this kernel lacks, reuse the process family's shared maps
// (jt_scope, jt_exec_ref) and the sidecar's one ring buffer, let the family set its rodata and
// variants, load, attach every program (cgroup programs to the pod's cgroup), and read the
// kernel's loss counters through the family's loss table. A family says only what differs,
// through the hooks. Every family's object has the ring buffer `rb` (bpf/lib/ring.bpf.h) and its
// own loss map `jt_loss` (bpf/lib/loss.bpf.h).
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "sidecar/bpf_attach.hpp"
#include "sidecar/loss_names.hpp"
#include "sidecar/tracer.hpp"

struct bpf_object;
struct bpf_map;

namespace jobtrail::sidecar {

class BpfTracer : public Tracer {
 public:
  ~BpfTracer() override;
  std::string name() const final { return family_; }
  void open_and_load(const TracerContext& ctx) final;
  void attach() final;
  std::map<std::string, std::uint64_t> read_losses() final;

 protected:
  // Whether the family's object uses the shared maps of the process family or owns them.
  enum class SharedMaps { reuse, own };
  BpfTracer(std::string family, LossTable losses, SharedMaps shared = SharedMaps::reuse);

  // A generated skeleton (NAME__open/__load/__destroy), type-erased so that the base loads it
  // and destroys it after detaching its links.
  class Skeleton {
   public:
    Skeleton() = default;
    template <class S>
    Skeleton(S* skel, int (*load_skel)(S*), void (*destroy_skel)(S*))
        : obj_(skel ? skel->obj : nullptr),
          load_([skel, load_skel] { return load_skel(skel); }),
          destroy_([skel, destroy_skel] { destroy_skel(skel); }) {}
    Skeleton(Skeleton&& o) noexcept { *this = std::move(o); }
    Skeleton& operator=(Skeleton&& o) noexcept;
    ~Skeleton();
    bpf_object* object() const { return obj_; }
    int load() const { return load_(); }

   private:
    bpf_object* obj_ = nullptr;
    std::function<int()> load_;
    std::function<void()> destroy_;
  };

  // --- what differs per family ---
  // false: the family is not loaded at all (no losses, attach does nothing).
  virtual bool wanted(const TracerContext& /*ctx*/) { return true; }
  // NAME__open() wrapped in a Skeleton (keep the typed pointer for rodata and maps); a null
  // skeleton with errno set when libbpf cannot open it.
  virtual Skeleton open_skeleton() = 0;
  // Between open and load, after the shared maps and the ring are reused: rodata, variants.
  virtual void before_load(const TracerContext& /*ctx*/) {}
  // After load, before the other families open: fill maps.
  virtual void after_load(const TracerContext& /*ctx*/) {}
  // Before the programs attach: state the kernel side needs from the first run on.
  virtual void before_attach() {}
  // Losses user space counts itself, added to the kernel's (lost_type -> total).
  virtual void add_own_losses(std::map<std::string, std::uint64_t>& /*totals*/) {}

  bool loaded() const { return loaded_; }
  // fd of the map `name` of the loaded object; throws when the object has none.
  int map_fd(const char* name) const;

 private:
  bpf_map* map(const char* name) const;

  std::string family_;
  LossTable losses_;
  SharedMaps shared_;
  Skeleton skeleton_;
  int cgroup_fd_ = -1;
  int loss_fd_ = -1;
  bool loaded_ = false;
  Links links_;  // declared after the skeleton: detached before it is destroyed
};

// Sums a BPF_MAP_TYPE_PERCPU_ARRAY of __u64 indexed by loss slot (cause and event type,
// bpf/lib/loss.bpf.h); returns slot -> total for non-zero entries.
std::map<std::uint32_t, std::uint64_t> read_percpu_loss_map(int map_fd);

}  // namespace jobtrail::sidecar
