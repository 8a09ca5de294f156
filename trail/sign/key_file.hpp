#pragma once
// Reading key files: the I/O edge of trail/sign. Errors name the file and the problem, never
// its contents.
#include <filesystem>

#include "trail/sign/ed25519.hpp"

namespace jobtrail::sign {

PrivateKey load_private_key(const std::filesystem::path& pem_file);  // throws KeyError
PublicKey load_public_key(const std::filesystem::path& pem_file);    // throws KeyError

}  // namespace jobtrail::sign
