// host-mount: mounting a block device or the host's file systems: a mount syscall (priv event)
// or a `mount` command whose source is a disk (/dev/sd*, nvme, vd*, xvd*, dm-*, mapper, loop,
// mmcblk, md), whose fstype is a disk file system, cgroup v1 (release_agent escapes), or a bind
// mount of / or /proc/1/root. Attempts count: the seed post's `mount /dev/sda2` failed and is
// still what an incident responder wants to see. tmpfs/proc/overlay mounts (dind) are normal.
#include <unordered_set>

#include "trail/events/types.hpp"
#include "trail/findings/rule.hpp"
#include "trail/findings/rule_util.hpp"

namespace jobtrail::findings {
namespace {

bool is_disk(const std::string& dev) {
  if (dev.rfind("/dev/", 0) != 0) return dev.rfind("UUID=", 0) == 0 || dev.rfind("LABEL=", 0) == 0;
  const std::string n = dev.substr(5);
  for (const char* p : {"sd", "hd", "vd", "xvd", "nvme", "dm-", "mapper/", "loop", "mmcblk", "md", "disk/", "root", "mtd"})
    if (n.rfind(p, 0) == 0 && n != "mqueue") return true;
  return false;
}
bool is_disk_fs(const std::string& t) {
  for (const char* f : {"ext2", "ext3", "ext4", "xfs", "btrfs", "vfat", "ntfs", "ntfs3", "zfs", "f2fs", "cgroup", "iso9660"})
    if (t == f) return true;
  return false;
}
bool is_host_root(const std::string& src) { return src == "/" || src.rfind("/proc/1/root", 0) == 0 || src == "/host"; }

std::string reason(const std::string& source, const std::string& fstype, bool bind) {
  if (is_disk(source)) return "block device " + source;
  if (is_disk_fs(fstype)) return fstype + " file system" + (source.empty() ? "" : " from " + source);
  if (bind && is_host_root(source)) return "bind mount of " + source;
  return {};
}

class HostMount : public OncePerExecRule {
 public:
  const char* id() const override { return "host-mount"; }
 private:
  void check(const json& ev, std::vector<Finding>& out) override {
    if (priv_syscall(ev) == "mount") {
      const auto& a = priv_args(ev);
      const bool bind = has_flag(a.value("flags", json()), 0x1000 /* MS_BIND */, "BIND");
      auto why = reason(str_at(a, "source"), str_at(a, "fstype"), bind);
      if (!why.empty())
        out.push_back(single(id(), high, "host mount: " + why + " on " + str_at(a, "target") + " by " + command_text(ev) +
                                             failed_suffix(family(ev, "priv")), ev));
      return;
    }
    if (type_of(ev) != events::type_name::process_exec || !is_program(ev, {"mount"})) return;
    auto args = args_of(ev);
    std::string fstype, source;
    bool bind = false;
    for (std::size_t i = 1; i < args.size(); ++i) {
      const std::string& a = args[i];
      if ((a == "-t" || a == "--types") && i + 1 < args.size()) fstype = args[++i];
      else if (a.rfind("-t", 0) == 0 && a.size() > 2 && a[1] != '-') fstype = a.substr(2);
      else if (a == "--bind" || a == "--rbind" || a == "-B" || a == "-R") bind = true;
      else if ((a == "-o" || a == "--options") && i + 1 < args.size()) bind |= args[++i].find("bind") != std::string::npos;
      else if (!a.empty() && a[0] != '-' && source.empty()) source = a;
    }
    auto why = reason(source, fstype, bind);
    if (!why.empty()) out.push_back(single(id(), high, "host mount attempted: " + why + " (" + command_text(ev) + ")", ev));
  }
};

}  // namespace

std::unique_ptr<Rule> make_host_mount() { return std::make_unique<HostMount>(); }

}  // namespace jobtrail::findings
