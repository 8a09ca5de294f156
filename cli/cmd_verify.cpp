// `jobtrail verify`: the archive verifier's report, one line per problem, exit by verdict.
#include <iostream>

#include "cli/common.hpp"
#include "cli/errors.hpp"
#include "cli/verify_output.hpp"
#include "trail/text/terminal_text.hpp"

namespace jobtrail::cli {

int exit_for(archive::Verdict v) {
  switch (v) {
    case archive::Verdict::ok: return exit_ok;
    case archive::Verdict::lost_events: return exit_lost;
    case archive::Verdict::family_missing: return exit_family_missing;
    case archive::Verdict::incomplete: return exit_incomplete;
    case archive::Verdict::tampered: return exit_tampered;
  }
  return exit_internal;
}

int print_verify_report(const archive::VerifyReport& rep, const std::string& url, bool as_json) {
  if (as_json) {
    nlohmann::json problems = nlohmann::json::array();
    for (auto& p : rep.problems)
      problems.push_back({{"kind", archive::to_string(p.kind)}, {"verdict", archive::to_string(archive::verdict_of(p.kind))},
                          {"segment", p.segment}, {"message", p.message}});
    std::cout << nlohmann::json{{"archive", url}, {"verdict", archive::to_string(rep.verdict())},
                                {"segments_checked", rep.segments_checked}, {"events_checked", rep.events_checked},
                                {"problems", problems}}
                     .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
              << "\n";
  } else {
    for (auto& p : rep.problems)
      std::cout << archive::to_string(archive::verdict_of(p.kind)) << ": " << archive::to_string(p.kind)
                << (p.segment.empty() ? "" : " in " + text::terminal_safe(p.segment)) << ": "
                << text::terminal_safe(p.message) << "\n";
    std::cout << text::terminal_safe(url) << ": " << archive::to_string(rep.verdict()) << " (" << rep.segments_checked << " segments, "
              << rep.events_checked << " events checked, " << rep.problems.size() << " problem(s))\n";
  }
  return exit_for(rep.verdict());
}

int run_verify(const ArchiveArgs& a, bool as_json) {
  auto loc = locate(a);
  try {
    auto rep = archive::verify_archive(*loc.where.store, loc.where.prefix);
    return print_verify_report(rep, loc.url, as_json);
  } catch (const storage::StoreError& e) {
    throw explain(e, loc.url);
  }
}

}  // namespace jobtrail::cli
