#include "sidecar/container_names.hpp"

#include <cctype>
#include <sys/stat.h>

#include <system_error>

namespace jobtrail::sidecar {

namespace fs = std::filesystem;

std::string container_id_of(const std::string& name) {
  std::size_t run = 0;
  for (std::size_t i = 0; i <= name.size(); ++i) {
    if (i < name.size() && std::isxdigit(static_cast<unsigned char>(name[i])) &&
        !std::isupper(static_cast<unsigned char>(name[i]))) {
      ++run;
      continue;
    }
    if (run == 64) return name.substr(i - 64, 64);
    run = 0;
  }
  return {};
}

void ContainerNames::rescan() {
  std::error_code ec;
  // Containers sit one or two levels below the pod (runc adds none, some runtimes one more).
  for (auto it = fs::recursive_directory_iterator(pod_, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it.depth() > 2) {
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_directory(ec)) continue;
    struct stat st {};
    if (::stat(it->path().c_str(), &st) != 0) continue;
    names_[st.st_ino] = fs::relative(it->path(), pod_, ec).string();
  }
  struct stat st {};
  if (::stat(pod_.c_str(), &st) == 0) names_[st.st_ino] = "";
}

const std::string& ContainerNames::cgroup_of(std::uint64_t cgroup_id) {
  if (auto it = names_.find(cgroup_id); it != names_.end()) return it->second;
  rescan();
  auto [it, inserted] = names_.emplace(cgroup_id, "?");  // gone already: say so, once
  return it->second;
}

}  // namespace jobtrail::sidecar
