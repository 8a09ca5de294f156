// libFuzzer target over what the job's pod writes into an archive: the first line of the input is
// the manifest, the rest the decompressed content of one segment. Both go into an in-memory store
// (the segment zstd-compressed, as in a real archive) and through the readers and model code of
// show, show --tree, summary, report and findings, the way cli/cmd_*.cpp use them. Any input must
// give output (every human-readable line free of raw control bytes) without crashing, hanging or
// reading out of bounds (ASan/UBSan).
#include <zstd.h>

#include <cstdint>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>
#include <string_view>

#include "cli/report_html.hpp"
#include "cli/show_filter.hpp"
#include "trail/archive/reader.hpp"
#include "trail/events/compact.hpp"
#include "trail/findings/engine.hpp"
#include "trail/summary/fields.hpp"
#include "trail/summary/process_tree.hpp"
#include "trail/summary/report_model.hpp"
#include "trail/summary/summary.hpp"

namespace {

using nlohmann::json;

class MemoryStore : public jobtrail::storage::Store {
 public:
  std::map<std::string, std::string> objects;
  std::string url() const override { return "memory://fuzz"; }
  void put_new(const std::string& key, std::string_view body, std::string_view) override {
    objects[key] = std::string(body);
  }
  void put_new_file(const std::string&, const std::filesystem::path&, std::string_view) override {}
  std::string get(const std::string& key) override {
    auto it = objects.find(key);
    if (it == objects.end()) throw jobtrail::storage::StoreError("NoSuchKey", "no " + key, false);
    return it->second;
  }
  void get_to_file(const std::string&, const std::filesystem::path&) override {}
  std::vector<jobtrail::storage::ObjectInfo> list(const std::string& prefix) override {
    std::vector<jobtrail::storage::ObjectInfo> out;
    for (auto& [k, v] : objects)
      if (k.starts_with(prefix)) out.push_back({k, v.size()});
    return out;
  }
  std::unique_ptr<std::istream> open_read(const std::string& key) override {
    return std::make_unique<std::istringstream>(get(key));
  }
};

// A terminal-bound line must not hold C0 (but none is allowed at all inside a line), DEL or ESC.
void check_terminal_safe(const std::string& text) {
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\n') || u == 0x7f) std::abort();
  }
}

std::string compress(std::string_view text) {
  std::string out(ZSTD_compressBound(text.size()), '\0');
  const std::size_t n = ZSTD_compress(out.data(), out.size(), text.data(), text.size(), 1);
  if (ZSTD_isError(n)) std::abort();
  out.resize(n);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t nl = input.find('\n');
  const std::string_view manifest = nl == std::string_view::npos ? input : input.substr(0, nl);
  const std::string_view lines = nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1);

  auto store = std::make_shared<MemoryStore>();
  store->objects["_manifest.json"] = std::string(manifest);
  store->objects["events-000000.jsonl.zst"] = compress(lines);

  // show: the compact lines, filtered (cmd_show.cpp)
  {
    jobtrail::archive::Reader reader(store, "");
    jobtrail::events::PodRef pod;
    try {
      if (auto& m = reader.manifest()) {
        auto p = m->meta.value("pod", json::object());
        pod = {jobtrail::summary::str_field(p, "namespace"), jobtrail::summary::str_field(p, "name")};
      }
    } catch (const std::exception&) {
    }
    jobtrail::cli::ShowFilter f;
    f.exec_roots = {"1"};
    f.types = {"process", "file_open"};
    f.since_ns = 0;
    reader.for_each_line([&](std::string_view line) {
      auto ev = jobtrail::archive::parse_event_line(line);
      if (!ev) return true;
      check_terminal_safe(jobtrail::events::format_compact(*ev, pod));
      f.match(*ev, line);
      return true;
    });
  }
  // show --tree, summary, report, findings: every event through each model (cmd_*.cpp)
  jobtrail::archive::Reader reader(store, "");
  jobtrail::summary::Builder summary;
  try {
    if (auto& m = reader.manifest()) summary.add_manifest(*m);
  } catch (const jobtrail::storage::StoreError&) {
  } catch (const std::exception&) {
  }
  jobtrail::summary::ProcessTree tree;
  jobtrail::summary::ReportModel report;
  jobtrail::findings::Engine engine(jobtrail::findings::Config{});
  std::vector<json> found;
  reader.for_each_event([&](const json& ev) {
    tree.add(ev);
    summary.add(ev);
    report.add(ev);
    for (auto& f : engine.on_event(ev)) found.push_back(std::move(f));
    return true;
  });
  for (auto& f : engine.finish()) found.push_back(std::move(f));
  tree.finish();
  for (auto& n : tree.nodes()) check_terminal_safe(jobtrail::summary::node_label(n));
  const json r = summary.result();
  check_terminal_safe(jobtrail::summary::format_text(r));
  (void)r.dump(2, ' ', false, json::error_handler_t::replace);
  (void)jobtrail::cli::render_report_html(r, report.finish(), "memory://fuzz");
  for (auto& f : found) check_terminal_safe(jobtrail::events::format_compact(f, {}));
  return 0;
}
