#pragma once
// A kubernetes-mode workflow pod's archive names no job of its own (docs/sidecar.md, Job
// identity): its manifest links the runner pod (meta.pod.runner_pod, from the pod's runner-pod
// label) and the job is the one the runner pod's archive names. The label is the job's to set
// (it may create pods), so readers show such an identity as the runner pod's, never as the
// workflow pod's own, and `ls` lists a workflow pod only under the runner pod that names it.
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/locate.hpp"
#include "trail/archive/manifest.hpp"

namespace jobtrail::cli {

struct RunnerLink {
  std::string runner_pod;      // "namespace/name"
  std::string archive_prefix;  // of the runner pod's archive that names the job
  nlohmann::json job_identity;
  std::string text() const;      // "runner pod ns/name (archive events/dt=.../ns/name/uid/)"
  std::string job_text() const;  // "owner/repo run 42 attempt 1 job build"
};

// The folders that may hold the archives of the runner pod a manifest links (layout 1's
// "pods/<ns>/<name>/", layout 2's on the workflow pod's start date and the day before: the runner
// pod started first), or nullopt when the manifest has an identity of its own or links none.
// Components are made key-safe (no '/', no "..").
std::optional<std::vector<std::string>> linked_runner_folders(const archive::Manifest& workflow);

// Which of the runner pod's archives (prefix, manifest) names the job of `workflow` (pure): one
// with an identity whose [started_at, ended_at] holds the workflow archive's start (an unfinished
// one counts as open-ended); when the workflow archive has no start time, the only one with an
// identity; else nullopt.
std::optional<RunnerLink> pick_runner_archive(const std::vector<std::pair<std::string, archive::Manifest>>& candidates,
                                              const archive::Manifest& workflow);

// Reads at most max_candidates manifests under the linked folders of `root` (the store holding
// the archives and jobs/). Store errors other than a missing object propagate.
std::optional<RunnerLink> resolve_runner_link(storage::Store& root, const archive::Manifest& workflow,
                                              std::size_t max_candidates = 16);

// The store root of a located archive: the store itself when the archive was found through an
// index (prefix set), else the URL with the manifest's archive_prefix taken off its end; nullptr
// when the URL does not end in it (a fetched copy in a folder of its own).
std::shared_ptr<storage::Store> store_root(const Located& loc, const archive::Manifest& m,
                                           const storage::StoreOptions& options);

// resolve_runner_link through store_root, for commands that only report it; any store error
// becomes nullopt (the archive itself is still read).
std::optional<RunnerLink> runner_link_of(const Located& loc, const archive::Manifest& m,
                                         const storage::StoreOptions& options);

}  // namespace jobtrail::cli
