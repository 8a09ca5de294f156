#include "cli/authenticity.hpp"

#include <filesystem>

#include "cli/errors.hpp"
#include "trail/archive/layout.hpp"
#include "trail/sign/key_file.hpp"

namespace jobtrail::cli {

namespace fs = std::filesystem;

sign::KeyRing load_keys(const std::vector<std::string>& files) {
  sign::KeyRing ring;
  for (auto& f : files) {
    try {
      ring.add(sign::load_public_key(f));
    } catch (const sign::KeyError& e) {
      throw CliError(exit_usage, std::string("--key: ") + e.what());
    }
  }
  return ring;
}

namespace {

// {root URL, suffix} splits of an archive URL, the deepest root first, at most 8.
std::vector<std::pair<std::string, std::string>> splits(const std::string& url) {
  std::string scheme, path = url;
  if (auto p = url.find("://"); p != std::string::npos) {
    scheme = url.substr(0, p + 3);
    path = url.substr(p + 3);
  }
  if (scheme.empty() || scheme == "file://") path = fs::absolute(path).lexically_normal().generic_string();
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  std::vector<std::pair<std::string, std::string>> out;
  std::string suffix;
  const std::size_t floor = scheme == "s3://" ? path.find('/') : 0;  // never above the bucket
  for (int i = 0; i < 8; ++i) {
    out.push_back({scheme + (path.empty() ? "/" : path), suffix});
    auto slash = path.rfind('/');
    if (slash == std::string::npos || floor == std::string::npos || slash < floor || (slash == 0 && path.size() == 1)) break;
    suffix = path.substr(slash + 1) + "/" + suffix;
    path = slash == 0 ? "/" : path.substr(0, slash);
  }
  return out;
}

}  // namespace

FoundCheckpoints find_checkpoints(const Located& loc, const std::optional<archive::Manifest>& manifest,
                                  const storage::StoreOptions& options) {
  if (!loc.index.is_null())
    return {loc.where.store, loc.where.prefix, loc.where.store->url() + "/" + archive::checkpoint_prefix(loc.where.prefix)};
  auto candidates = splits(loc.url);
  if (manifest && !manifest->archive_prefix.empty())
    std::stable_partition(candidates.begin(), candidates.end(),
                          [&](auto& c) { return c.second == manifest->archive_prefix; });
  for (auto& [root_url, suffix] : candidates) {
    try {
      auto o = options;
      o.url = root_url;
      auto root = storage::open_store(o);
      if (!root->list(archive::checkpoint_prefix(suffix)).empty())
        return {root, suffix, root_url + "/" + archive::checkpoint_prefix(suffix)};
    } catch (const storage::StoreError&) {
      // a parent we may not list (another bucket policy, a folder we cannot read): try the next
    }
  }
  return {};
}

Authenticity check_authenticity(archive::VerifyReport& rep, storage::Store& archive, const std::string& prefix,
                                const Located& loc, const sign::KeyRing& keys, const storage::StoreOptions& options) {
  Authenticity a;
  if (!loc.index.is_null() && rep.manifest) {
    // The manifest's own name in the layout that wrote it (layout 1: manifest.json).
    const std::string_view name = rep.manifest->layout_version >= 2 ? archive::manifest_name : archive::legacy_manifest_name;
    for (auto& p : archive::check_index(loc.index, *rep.manifest, loc.where.prefix + std::string(name)))
      rep.problems.push_back(p);
  }
  if (keys.empty()) return a;
  a.checked = true;
  auto found = find_checkpoints(loc, rep.manifest, options);
  a.checkpoints_at = found.url;
  a.report = archive::verify_signatures(archive, prefix, rep, {found.root.get(), found.archive_prefix}, keys);
  for (auto& p : a.report.problems) rep.problems.push_back(p);
  return a;
}

}  // namespace jobtrail::cli
