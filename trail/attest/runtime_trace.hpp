#pragma once
// `jobtrail attest`: an in-toto Statement v1 with the runtime-trace predicate
// (https://in-toto.io/attestation/runtime-trace/v0.1) built from an archive's manifest, its
// summary (trail/summary) and its verification, wrapped in a DSSE envelope signed with Ed25519.
// Pure functions; reading the archive and writing the file are the CLI's.
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "trail/archive/manifest.hpp"
#include "trail/sign/ed25519.hpp"

namespace jobtrail::attest {

inline constexpr std::string_view statement_type = "https://in-toto.io/Statement/v1";
inline constexpr std::string_view predicate_type = "https://in-toto.io/attestation/runtime-trace/v0.1";
inline constexpr std::string_view payload_type = "application/vnd.in-toto+json";
inline constexpr std::string_view monitor_type = "https://jobtrail.io/attestation/monitor/sidecar/v1";

struct TraceFacts {
  std::string manifest_key;     // subject name: the manifest's key at the store root
  std::string manifest_sha256;  // subject digest: of the manifest bytes as stored
  std::string verdict;          // the verifier's, with the signing key's public half
  std::vector<std::string> problems;  // problem kinds, in the verifier's order
  std::string key_id;           // of the manifest's verified signature, "" if none
};

// The GitHub run URL of a job identity (repository, run_id, run_attempt; or the GITHUB_*
// names; GITHUB_SERVER_URL when given), "" when the identity lacks them.
std::string run_url(const nlohmann::json& identity);

nlohmann::json runtime_trace_statement(const archive::Manifest&, const nlohmann::json& summary, const TraceFacts&);

// DSSE v1: PAE = "DSSEv1" SP len(type) SP type SP len(body) SP body (decimal lengths in bytes).
std::string dsse_pae(std::string_view type, std::string_view body);
// {"payloadType", "payload": base64(body), "signatures": [{"keyid", "sig": base64(sign(PAE))}]}
nlohmann::json dsse_envelope(std::string_view type, std::string_view body, const sign::PrivateKey& key);

}  // namespace jobtrail::attest
