// `jobtrail summary`: the trail folded into trail/summary's job summary, text or JSON.
#include <iostream>

#include "cli/common.hpp"
#include "cli/errors.hpp"
#include "trail/summary/summary.hpp"
#include "trail/text/terminal_text.hpp"

namespace jobtrail::cli {

int reader_status(const archive::Reader& reader);

int run_summary(const ArchiveArgs& a, bool as_json) {
  auto loc = locate(a);
  archive::Reader reader(loc.where);
  try {
    summary::Builder b;
    try {
      if (auto& m = reader.manifest()) b.add_manifest(*m);
    } catch (const storage::StoreError&) {
      throw;
    } catch (const std::exception& e) {
      std::cerr << "jobtrail: manifest unusable (" << text::terminal_safe(e.what()) << "); summarising the segments alone\n";
    }
    reader.for_each_event([&](const nlohmann::json& ev) {
      b.add(ev);
      return true;
    });
    auto r = b.result();
    if (as_json) std::cout << r.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    else std::cout << summary::format_text(r);
    return reader_status(reader);
  } catch (const storage::StoreError& e) {
    throw explain(e, loc.url);
  }
}

}  // namespace jobtrail::cli
