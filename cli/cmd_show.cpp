// `jobtrail show`: events in the sidecar's compact form (or as stored JSON), filtered; --tree.
#include <iostream>
#include <limits>
#include <optional>
#include <unordered_map>

#include "cli/common.hpp"
#include "cli/errors.hpp"
#include "cli/runner_link.hpp"
#include "cli/show_filter.hpp"
#include "trail/events/compact.hpp"
#include "trail/events/time_reorder.hpp"
#include "trail/events/types.hpp"
#include "trail/summary/fields.hpp"
#include "trail/summary/job_steps.hpp"
#include "trail/summary/process_tree.hpp"
#include "trail/text/terminal_text.hpp"

namespace jobtrail::cli {

using nlohmann::json;

events::PodRef pod_ref(archive::Reader& reader) {
  events::PodRef ref;
  try {
    if (auto& m = reader.manifest()) {
      const json& pod = summary::object_field(m->meta, "pod");
      ref.namespace_name = summary::str_field(pod, "namespace");
      ref.pod_name = summary::str_field(pod, "name");
    }
  } catch (const std::exception&) {  // a bad manifest is verify's business; show the events
  }
  return ref;
}

int reader_status(const archive::Reader& reader) {
  for (auto& p : reader.problems()) std::cerr << "jobtrail: damaged archive: " << text::terminal_safe(p) << "\n";
  return reader.problems().empty() ? exit_ok : exit_tampered;
}

namespace {

void print_tree(const summary::ProcessTree& tree, const std::vector<std::size_t>& roots,
                const std::unordered_map<std::string, int>& steps) {
  // Iterative depth-first walk: trails can be deep (shell loops), the stack must not be.
  std::vector<std::pair<std::size_t, int>> stack;
  for (auto it = roots.rbegin(); it != roots.rend(); ++it) stack.emplace_back(*it, 0);
  auto& nodes = tree.nodes();
  while (!stack.empty()) {
    auto [i, depth] = stack.back();
    stack.pop_back();
    // The step is named where it starts: the processes below are in it too.
    auto step_of = [&](std::size_t n) {
      auto it = n == summary::ProcessNode::npos ? steps.end() : steps.find(nodes[n].exec_id);
      return it == steps.end() ? 0 : it->second;
    };
    const int step = step_of(i);
    std::cout << std::string(static_cast<std::size_t>(depth) * 2, ' ')
              << summary::step_prefix(step != step_of(nodes[i].parent) ? step : 0) << summary::node_label(nodes[i]) << "\n";
    auto& kids = nodes[i].children;
    for (auto it = kids.rbegin(); it != kids.rend(); ++it) stack.emplace_back(*it, depth + 1);
  }
  if (tree.dropped()) std::cout << "(" << tree.dropped() << " more processes not shown: tree limit reached)\n";
}

}  // namespace

int run_show(const ArchiveArgs& a, const ShowOptions& o) {
  ShowFilter f;
  f.types = o.types;
  f.binaries = o.binaries;
  f.pids.insert(o.pids.begin(), o.pids.end());
  f.exec_roots.insert(o.exec_ids.begin(), o.exec_ids.end());
  f.grep = o.grep;
  // The compact lines tell the job's story; scripts (--json) and a reader naming types get all.
  f.scope = o.stream.value_or(o.json || !o.types.empty() ? events::StreamScope::all : events::StreamScope::story);
  if (!o.since.empty()) f.since_ns = parse_when(o.since, "--since");
  if (!o.until.empty()) f.until_ns = parse_when(o.until, "--until");
  auto loc = locate(a);
  archive::Reader reader(loc.where);
  try {
    try {  // a workflow pod of kubernetes mode: its events belong to its runner pod's job
      if (auto& m = reader.manifest())
        if (auto link = runner_link_of(loc, *m, a.store))
          std::cerr << "jobtrail: a workflow pod: job " << text::terminal_safe(link->job_text()) << ", from the "
                    << text::terminal_safe(link->text()) << "\n";
    } catch (const storage::StoreError&) {
      throw;
    } catch (const std::exception&) {  // a bad manifest is verify's business; show the events
    }
    if (o.tree) {
      summary::ProcessTree tree;
      summary::JobSteps job_steps;
      std::unordered_map<std::string, int> step_of_exec;  // only the execs the tree keeps
      reader.for_each_event([&](const json& ev) {
        const int step = job_steps.step_of(ev);
        if (!f.exec_roots.empty() && !f.match(ev, {})) return true;
        tree.add(ev);
        if (step && summary::event_type(ev) == events::type_name::process_exec && tree.find(summary::exec_id_of(ev)))
          step_of_exec.emplace(summary::exec_id_of(ev), step);
        return true;
      });
      tree.finish();
      print_tree(tree, tree.roots(), step_of_exec);
      return reader_status(reader);
    }
    auto pod = pod_ref(reader);
    summary::JobSteps job_steps;  // sees every event, whatever the filter shows
    // The compact lines in the order things happened, as in the live stream; "now" is the latest
    // event time read so far (the archive is in the order the sidecar read the rings).
    events::TimeReorder in_time_order;
    std::optional<std::int64_t> latest;
    std::string ready;
    std::ios::sync_with_stdio(false);
    std::uint64_t bad_lines = 0;
    reader.for_each_line([&](std::string_view line) {
      auto parsed = archive::parse_event_line(line);
      if (!parsed) {
        if (bad_lines++ < 10) std::cerr << "jobtrail: skipped a line that is not JSON\n";
        return true;
      }
      const json& ev = *parsed;
      const int step = job_steps.step_of(ev);
      if (!f.match(ev, line)) return true;
      if (o.json) std::cout << line << '\n';
      else {
        const auto t = events::event_time_ns(ev);
        if (t && (!latest || *t > *latest)) latest = t;
        const std::int64_t now = latest.value_or(std::numeric_limits<std::int64_t>::min());
        in_time_order.add(t, now, summary::step_prefix(step) + events::format_compact(ev, pod) + '\n', ready);
        in_time_order.release(now, ready);
        std::cout << ready;
        ready.clear();
      }
      return static_cast<bool>(std::cout);  // stop on a closed pipe (| head)
    });
    in_time_order.flush(ready);
    std::cout << ready;
    std::cout.flush();
    if (bad_lines) {
      std::cerr << "jobtrail: damaged archive: " << bad_lines << " event line(s) are not valid JSON (or nested deeper than "
                << archive::max_event_depth << ")\n";
      return exit_tampered;
    }
    return reader_status(reader);
  } catch (const storage::StoreError& e) {
    throw explain(e, loc.url);
  }
}

}  // namespace jobtrail::cli
