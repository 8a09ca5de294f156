#pragma once
// --signing-key: the Ed25519 private key the archive is signed with (docs/archive.md). A key
// that cannot be loaded is logged and the archive is written unsigned, with the reason in
// meta.signing: a sidecar that is already running never stops the job over it.
#include <string>

#include "trail/archive/writer.hpp"

namespace jobtrail::sidecar {

void configure_signing(const std::string& key_file, archive::WriterOptions& wo);

}  // namespace jobtrail::sidecar
