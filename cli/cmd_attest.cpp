// `jobtrail attest`: verifies an archive with the signing key's public half, summarises it and
// writes the runtime-trace attestation (trail/attest/runtime_trace.hpp) as a DSSE envelope.
#include <fstream>
#include <iostream>

#include "cli/authenticity.hpp"
#include "cli/common.hpp"
#include "cli/errors.hpp"
#include "cli/verify_output.hpp"
#include "trail/archive/reader.hpp"
#include "trail/archive/sha256.hpp"
#include "trail/attest/runtime_trace.hpp"
#include "trail/sign/key_file.hpp"
#include "trail/summary/summary.hpp"
#include "trail/text/terminal_text.hpp"

namespace jobtrail::cli {

int run_attest(const ArchiveArgs& a, const std::string& key_file, const std::string& out_path) {
  std::optional<sign::PrivateKey> key;
  try {
    key = sign::load_private_key(key_file);
  } catch (const sign::KeyError& e) {
    throw CliError(exit_usage, std::string("--key: ") + e.what());
  }
  auto loc = locate(a);
  try {
    auto rep = archive::verify_archive(*loc.where.store, loc.where.prefix);
    if (!rep.manifest) throw CliError(exit_incomplete, "no readable manifest at " + loc.url + ": nothing to attest");
    sign::KeyRing ring;
    ring.add(key->public_key());
    auto auth = check_authenticity(rep, *loc.where.store, loc.where.prefix, loc, ring, a.store);

    summary::Builder b;
    b.add_manifest(*rep.manifest);
    archive::Reader reader(loc.where);
    reader.for_each_event([&](const nlohmann::json& ev) {
      b.add(ev);
      return true;
    });

    attest::TraceFacts facts;
    facts.manifest_key = rep.manifest->archive_prefix + std::string(archive::manifest_name);  // at the store root
    facts.manifest_sha256 = archive::sha256_hex(rep.manifest_bytes);
    facts.verdict = std::string(archive::to_string(rep.verdict()));
    for (auto& p : rep.problems) facts.problems.emplace_back(archive::to_string(p.kind));
    facts.key_id = auth.report.signer;
    auto statement = attest::runtime_trace_statement(*rep.manifest, b.result(), facts)
                         .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    auto envelope = attest::dsse_envelope(attest::payload_type, statement, *key).dump(1) + "\n";
    if (out_path.empty() || out_path == "-") {
      std::cout << envelope;
    } else {
      std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
      out << envelope;
      if (!out.flush()) throw CliError(exit_internal, "cannot write " + out_path);
    }
    std::cerr << "jobtrail: attested " << text::terminal_safe(loc.url) << ": " << facts.verdict << "\n";
    return exit_for(rep.verdict());
  } catch (const storage::StoreError& e) {
    throw explain(e, loc.url);
  }
}

}  // namespace jobtrail::cli
