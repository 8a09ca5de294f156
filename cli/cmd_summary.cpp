// `jobtrail summary`: the trail folded into trail/summary's job summary, text or JSON.
#include <iostream>

#include "cli/common.hpp"
#include "cli/errors.hpp"
#include "cli/runner_link.hpp"
#include "trail/event/decoder.hpp"
#include "trail/summary/summary.hpp"
#include "trail/text/terminal_text.hpp"

namespace jobtrail::cli {

int reader_status(const archive::Reader& reader);

int run_summary(const ArchiveArgs& a, bool as_json) {
  auto loc = locate(a);
  archive::Reader reader(loc.where);
  try {
    summary::Builder b;
    std::optional<RunnerLink> link;
    try {
      if (auto& m = reader.manifest()) {
        // A workflow pod of kubernetes mode: the job is the one its runner pod's archive names.
        link = runner_link_of(loc, *m, a.store);
        if (!link) {
          b.add_manifest(*m);
        } else {
          auto linked = *m;
          linked.job_identity = link->job_identity;
          b.add_manifest(linked);
        }
      }
    } catch (const storage::StoreError&) {
      throw;
    } catch (const std::exception& e) {
      std::cerr << "jobtrail: manifest unusable (" << text::terminal_safe(e.what()) << "); summarising the segments alone\n";
    }
    // Each line straight into a typed event (no JSON DOM): a line that is no event of the
    // schema's shape is counted, in the summary and as damage, and the reading goes on.
    event::Decoder decoder;
    event::Event ev;
    reader.for_each_line([&](std::string_view line) {
      if (decoder.decode(line, ev)) b.add(ev);
      else b.add_unreadable();
      return true;
    });
    auto r = b.result();
    if (link) r["identity_from"] = link->text();
    if (as_json) std::cout << r.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    else std::cout << summary::format_text(r);
    const int status = reader_status(reader);
    if (decoder.errors() == 0) return status;
    std::cerr << "jobtrail: damaged archive: " << decoder.errors() << " event line(s) are not events of the schema ("
              << text::terminal_safe(decoder.first_error()) << ")\n";
    return exit_tampered;
  } catch (const storage::StoreError& e) {
    throw explain(e, loc.url);
  }
}

}  // namespace jobtrail::cli
