#include "sidecar/signing_key.hpp"

#include <spdlog/spdlog.h>

#include "trail/sign/key_file.hpp"

namespace jobtrail::sidecar {

void configure_signing(const std::string& key_file, archive::WriterOptions& wo) {
  if (key_file.empty()) {
    wo.unsigned_reason = "no signing key configured (--signing-key)";
    return;
  }
  try {
    wo.signing_key = std::make_shared<const sign::PrivateKey>(sign::load_private_key(key_file));
    spdlog::info("archive signed with Ed25519 key id {}", wo.signing_key->key_id());
  } catch (const std::exception& e) {  // KeyError, or bad_alloc: never the key's bytes
    wo.unsigned_reason = std::string("signing key not loaded: ") + e.what();
    spdlog::error("{}; the archive is written UNSIGNED (`jobtrail verify --key` will say so)", wo.unsigned_reason);
  }
}

}  // namespace jobtrail::sidecar
