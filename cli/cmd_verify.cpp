// `jobtrail verify`: the archive verifier's report, one line per problem, exit by verdict.
#include <algorithm>
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
    case archive::Verdict::index_mismatch: return exit_index_mismatch;
    case archive::Verdict::not_signed: return exit_unsigned;
    case archive::Verdict::key_mismatch: return exit_key_mismatch;
    case archive::Verdict::bad_signature: return exit_bad_signature;
  }
  return exit_internal;
}

namespace {
nlohmann::json signatures_json(const Authenticity& a) {
  if (!a.checked) return {{"checked", false}};
  nlohmann::json cp;
  if (a.report.checkpoint)
    cp = {{"key", a.report.checkpoint_key}, {"segments", a.report.checkpoint->segments},
          {"events", a.report.checkpoint->events}, {"final", a.report.checkpoint->final}, {"at", a.report.checkpoint->at}};
  return {{"checked", true},
          {"signer", a.report.signer.empty() ? nlohmann::json() : nlohmann::json(a.report.signer)},
          {"checkpoint", cp}};
}

std::string signatures_line(const Authenticity& a) {
  if (!a.checked) return "signatures: not checked (give --key PUB.pem to require them)";
  const bool not_signed = std::any_of(a.report.problems.begin(), a.report.problems.end(), [](auto& p) {
    return p.kind == archive::ProblemKind::not_signed && p.segment.empty();
  });
  std::string s = "signatures: " + (!a.report.manifest_present ? std::string("no manifest to check")
                                    : not_signed                 ? std::string("the manifest is not signed")
                                    : a.report.signer.empty()    ? std::string("the manifest's signature did not verify")
                                                                 : "manifest signed by key " + a.report.signer);
  if (a.report.checkpoint)
    s += "; newest checkpoint " + a.report.checkpoint_key + " (" + std::to_string(a.report.checkpoint->segments) +
         " segments" + (a.report.checkpoint->final ? ", final" : "") + ")";
  else
    s += a.checkpoints_at.empty() ? "; no checkpoints found" : "; no valid checkpoint in " + a.checkpoints_at;
  return s;
}
}  // namespace

int print_verify_report(const archive::VerifyReport& rep, const std::string& url, bool as_json, const Authenticity* auth) {
  if (as_json) {
    nlohmann::json problems = nlohmann::json::array();
    for (auto& p : rep.problems)
      problems.push_back({{"kind", archive::to_string(p.kind)}, {"verdict", archive::to_string(archive::verdict_of(p.kind))},
                          {"segment", p.segment}, {"message", p.message}});
    std::cout << nlohmann::json{{"archive", url}, {"verdict", archive::to_string(rep.verdict())},
                                {"segments_checked", rep.segments_checked}, {"events_checked", rep.events_checked},
                                {"problems", problems},
                                {"signatures", auth ? signatures_json(*auth) : nlohmann::json()}}
                     .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
              << "\n";
  } else {
    for (auto& p : rep.problems)
      std::cout << archive::to_string(archive::verdict_of(p.kind)) << ": " << archive::to_string(p.kind)
                << (p.segment.empty() ? "" : " in " + text::terminal_safe(p.segment)) << ": "
                << text::terminal_safe(p.message) << "\n";
    if (auth) std::cout << text::terminal_safe(signatures_line(*auth)) << "\n";
    std::cout << text::terminal_safe(url) << ": " << archive::to_string(rep.verdict()) << " (" << rep.segments_checked << " segments, "
              << rep.events_checked << " events checked, " << rep.problems.size() << " problem(s))\n";
  }
  return exit_for(rep.verdict());
}

int run_verify(const ArchiveArgs& a, bool as_json) {
  auto keys = load_keys(a.keys);
  auto loc = locate(a);
  try {
    auto rep = archive::verify_archive(*loc.where.store, loc.where.prefix);
    auto auth = check_authenticity(rep, *loc.where.store, loc.where.prefix, loc, keys, a.store);
    return print_verify_report(rep, loc.url, as_json, &auth);
  } catch (const storage::StoreError& e) {
    throw explain(e, loc.url);
  }
}

}  // namespace jobtrail::cli
